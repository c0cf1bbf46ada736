"""Image uploads from the markdown editor, checked by content and re-encoded.

markdownx's own upload trusts the client: it accepts SVG, names the stored
file after the client's file name, stores GIF and SVG unread, and raises on
a non-image sent as PNG. Here the image is opened by Pillow, limited to
PNG, JPEG, GIF and WebP as Pillow detects them from the bytes, re-encoded
(which drops anything appended to the image and its EXIF data, location
included) and stored as `<uuid>.<extension of the detected format>`.

`ImageUploadView` is mounted at `markdownx/upload/` ahead of markdownx's own
URLs, so the editor's JavaScript posts here. Its responses keep markdownx's
shape: `{"image_code": "![](<url>)"}` on success, the form errors as JSON
(`{"image": ["<message>"]}`) with status 400 otherwise, and a message of the
same shape when the image cannot be stored (507 for a full disk, else 500).
"""

import errno
import logging
import posixpath
import uuid
from io import BytesIO

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from markdownx.forms import ImageForm as MarkdownxImageForm
from markdownx.settings import MARKDOWNX_IMAGE_MAX_SIZE, MARKDOWNX_MEDIA_PATH
from markdownx.views import ImageUploadView as MarkdownxImageUploadView
from PIL import Image, ImageOps, UnidentifiedImageError

# At most this many bytes per upload.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# At most this many decoded pixels (width × height × frames), so a small
# file cannot expand into gigabytes of memory.
MAX_PIXELS = 50_000_000

# Pillow format name → (format to write, file extension). Pillow reports
# JPEGs from phone cameras with a second picture as MPO; they are JPEGs.
ACCEPTED_FORMATS = {
    "PNG": ("PNG", "png"),
    "JPEG": ("JPEG", "jpg"),
    "MPO": ("JPEG", "jpg"),
    "GIF": ("GIF", "gif"),
    "WEBP": ("WEBP", "webp"),
}
# The decoders Pillow may try; the JPEG one also returns MPO images.
OPEN_FORMATS = ["PNG", "JPEG", "GIF", "WEBP"]

logger = logging.getLogger(__name__)


class ImageForm(MarkdownxImageForm):
    """An editor image: PNG, JPEG, GIF or WebP by content, at most 5 MB."""

    error_messages = {
        "unsupported": _("Only PNG, JPEG, GIF and WebP images can be uploaded."),
        "too_large": _("The image is %(size)s; images can be at most %(limit)s."),
        "too_many_pixels": _("The image has too many pixels (at most %(limit)s million)."),
        "damaged": _("The image file is damaged or incomplete."),
    }

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(MAX_UPLOAD_BYTES),
                },
            )
        return self._reencoded(upload)

    def clean(self):
        # markdownx's clean() checks the client's content type; clean_image
        # has already done the real checks.
        return self.cleaned_data

    def _reencoded(self, upload):
        """The upload decoded by Pillow and written again, as a ContentFile."""
        upload.seek(0)
        try:
            with Image.open(upload, formats=OPEN_FORMATS) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise self._error("unsupported")
                output_format, extension = ACCEPTED_FORMATS[image.format]
                frames = getattr(image, "n_frames", 1) if output_format != "JPEG" else 1
                if image.width * image.height * frames > MAX_PIXELS:
                    raise self._error("too_many_pixels")
                content = _encode(image, output_format, animated=frames > 1)
        except forms.ValidationError:
            raise
        except UnidentifiedImageError:
            raise self._error("unsupported") from None
        except Image.DecompressionBombError:
            raise self._error("too_many_pixels") from None
        except Exception:
            # Pillow raises many kinds of exception (OSError, SyntaxError,
            # struct.error, zlib.error...) on data it cannot decode.
            logger.info("Refused a damaged image upload", exc_info=True)
            raise self._error("damaged") from None
        return ContentFile(content, name=f"{uuid.uuid4()}.{extension}")

    def _error(self, code):
        params = {"limit": MAX_PIXELS // 1_000_000} if code == "too_many_pixels" else None
        return forms.ValidationError(self.error_messages[code], code=code, params=params)

    def save(self, commit=True):
        """Store the re-encoded image under MARKDOWNX_MEDIA_PATH; return its URL."""
        image = self.cleaned_data["image"]
        path = posixpath.join(MARKDOWNX_MEDIA_PATH, image.name)
        if not commit:
            return path
        stored = default_storage.save(path, image)
        return default_storage.url(stored)


def _encode(image, output_format, *, animated):
    """Write `image` again in `output_format`, without its metadata.

    Still images are turned upright (EXIF orientation, which is dropped with
    the rest of EXIF) and scaled down to MARKDOWNX_IMAGE_MAX_SIZE.
    """
    icc_profile = image.info.get("icc_profile")
    options = {}
    if icc_profile and output_format != "GIF":
        options["icc_profile"] = icc_profile
    if output_format in ("JPEG", "WEBP"):
        options["quality"] = MARKDOWNX_IMAGE_MAX_SIZE.get("quality", 90)

    if animated:
        image.info.pop("comment", None)
        options["save_all"] = True
    else:
        image.load()
        image = ImageOps.exif_transpose(image)
        image.thumbnail(MARKDOWNX_IMAGE_MAX_SIZE["size"])
        image.info.pop("comment", None)
        if output_format == "JPEG" and image.mode not in ("1", "L", "RGB", "CMYK"):
            image = image.convert("RGB")

    buffer = BytesIO()
    image.save(buffer, output_format, **options)
    return buffer.getvalue()


class ImageUploadView(MarkdownxImageUploadView):
    """The markdownx upload endpoint with the checked form; always answers JSON.

    markdownx's view answers only AJAX requests and fails on the others
    (it has no template to render); this one answers every POST with JSON
    and refuses other methods with 405.
    """

    form_class = ImageForm
    http_method_names = ["post"]

    def form_invalid(self, form):
        return JsonResponse(form.errors, status=400)

    def form_valid(self, form):
        try:
            url = form.save(commit=True)
        except OSError as error:
            # The storage failed (a full disk, a lost network share); it
            # leaves no partial file (sessions.storage). The editor reads
            # the error like a form error.
            logger.error("Could not store an editor image", exc_info=True)
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                message, status = _("The server's storage is full; the image was not saved."), 507
            else:
                message, status = _("The image could not be saved. Try again later."), 500
            return JsonResponse({"image": [str(message)]}, status=status)
        return JsonResponse({"image_code": f"![]({url})"})
