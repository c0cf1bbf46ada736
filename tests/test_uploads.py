"""Editor image uploads: checked by content, named by detected format, never a 500.

Posts go through the real URL the markdownx editor uses, as its JavaScript
sends them (multipart, `X-Requested-With: XMLHttpRequest`).
"""

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sessions.uploads import MAX_UPLOAD_BYTES

UPLOAD_URL = "/markdownx/upload/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
STORED_URL = re.compile(r"!\[\]\(/media/editor/([0-9a-f-]{36}\.(png|jpg|gif|webp))\)")

UNSUPPORTED = "Only PNG, JPEG, GIF and WebP images can be uploaded."
DAMAGED = "The image file is damaged or incomplete."


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in their English source text."""
    settings.LANGUAGE_CODE = "en"


def image_bytes(image_format, size=(4, 3), mode="RGB", **save_options):
    buffer = BytesIO()
    Image.new(mode, size, color=(200, 30, 60) if mode == "RGB" else 1).save(
        buffer, image_format, **save_options
    )
    return buffer.getvalue()


def upload(client, name, content, content_type):
    return client.post(
        UPLOAD_URL, {"image": SimpleUploadedFile(name, content, content_type)}, **AJAX
    )


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def stored_name(response):
    """The file name in markdownx's `image_code`, e.g. `<uuid>.png`."""
    match = STORED_URL.fullmatch(response.json()["image_code"])
    assert match, response.json()
    return match.group(1)


def test_upload_png_is_stored_with_png_name(member_client, settings):
    response = upload(member_client, "그림.png", image_bytes("PNG"), "image/png")

    assert response.status_code == 200
    name = stored_name(response)
    assert name.endswith(".png")
    assert stored_files(settings) == [f"editor/{name}"]
    with Image.open(Path(settings.MEDIA_ROOT) / "editor" / name) as stored:
        assert (stored.format, stored.size) == ("PNG", (4, 3))


def test_upload_jpeg_named_png_is_stored_as_jpg(member_client, settings):
    response = upload(member_client, "photo.png", image_bytes("JPEG"), "image/png")

    assert response.status_code == 200
    name = stored_name(response)
    assert name.endswith(".jpg")
    with Image.open(Path(settings.MEDIA_ROOT) / "editor" / name) as stored:
        assert stored.format == "JPEG"


@pytest.mark.parametrize(("image_format", "extension"), [("GIF", "gif"), ("WEBP", "webp")])
def test_upload_gif_and_webp_keep_their_format(member_client, settings, image_format, extension):
    response = upload(member_client, "x.bin", image_bytes(image_format), "application/octet-stream")

    assert response.status_code == 200
    assert stored_name(response).endswith(f".{extension}")


def test_upload_animated_gif_keeps_its_frames(member_client, settings):
    frames = [Image.new("RGB", (8, 8), color) for color in ("red", "green", "blue")]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(BytesIO(buffer.getvalue())).n_frames == 3

    response = upload(member_client, "a.gif", buffer.getvalue(), "image/gif")

    assert response.status_code == 200
    with Image.open(Path(settings.MEDIA_ROOT) / "editor" / stored_name(response)) as stored:
        assert (stored.format, stored.n_frames) == ("GIF", 3)


def test_upload_jpeg_loses_exif_but_stays_upright(member_client, settings):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display.
    exif[0x010F] = "Camera maker"
    content = image_bytes("JPEG", size=(40, 20), exif=exif.tobytes())

    response = upload(member_client, "phone.jpg", content, "image/jpeg")

    assert response.status_code == 200
    with Image.open(Path(settings.MEDIA_ROOT) / "editor" / stored_name(response)) as stored:
        assert (stored.size, dict(stored.getexif())) == ((20, 40), {})


def test_upload_large_image_is_scaled_down(member_client, settings):
    response = upload(member_client, "wide.png", image_bytes("PNG", size=(4000, 1000)), "image/png")

    assert response.status_code == 200
    with Image.open(Path(settings.MEDIA_ROOT) / "editor" / stored_name(response)) as stored:
        assert stored.size == (2000, 500)


def test_upload_svg_is_refused(member_client, settings):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    response = upload(member_client, "x.svg", svg, "image/svg+xml")

    assert (response.status_code, response.json()) == (400, {"image": [UNSUPPORTED]})
    assert stored_files(settings) == []


def test_upload_html_named_png_is_refused(member_client, settings):
    html = b"<!doctype html><html><script>alert(document.cookie)</script></html>"

    response = upload(member_client, "x.png", html, "image/png")

    assert (response.status_code, response.json()) == (400, {"image": [UNSUPPORTED]})
    assert stored_files(settings) == []


def test_upload_html_sent_as_gif_is_refused(member_client, settings):
    response = upload(member_client, "x.html", b"<p>hi</p>", "image/gif")

    assert (response.status_code, response.json()) == (400, {"image": [UNSUPPORTED]})


def test_upload_non_image_sent_as_png_is_a_400_not_a_500(member_client, settings):
    response = upload(member_client, "notes.png", "그냥 텍스트\n".encode() * 50, "image/png")

    assert (response.status_code, response.json()) == (400, {"image": [UNSUPPORTED]})


def test_upload_truncated_png_is_refused_as_damaged(member_client, settings):
    content = image_bytes("PNG", size=(300, 300), compress_level=0)

    response = upload(member_client, "cut.png", content[: len(content) // 2], "image/png")

    assert (response.status_code, response.json()) == (400, {"image": [DAMAGED]})
    assert stored_files(settings) == []


def test_upload_over_5_mb_is_refused(member_client, settings):
    # A valid PNG padded past the limit with a private ancillary chunk.
    content = image_bytes("PNG")
    padding = 6 * 1024 * 1024
    chunk = padding.to_bytes(4, "big") + b"prVt" + bytes(padding) + bytes(4)
    content = content[:-12] + chunk + content[-12:]
    assert len(content) > MAX_UPLOAD_BYTES

    response = upload(member_client, "big.png", content, "image/png")

    assert (response.status_code, response.json()) == (
        400,
        {"image": ["The image is 6.0\xa0MB; images can be at most 5.0\xa0MB."]},
    )
    assert stored_files(settings) == []


def test_upload_with_too_many_pixels_is_refused(member_client, settings):
    content = image_bytes("PNG", size=(10_000, 6_000), mode="1")

    response = upload(member_client, "huge.png", content, "image/png")

    assert (response.status_code, response.json()) == (
        400,
        {"image": ["The image has too many pixels (at most 50 million)."]},
    )


def test_upload_without_file_is_refused(member_client, settings):
    response = member_client.post(UPLOAD_URL, {}, **AJAX)

    assert (response.status_code, response.json()) == (400, {"image": ["This field is required."]})


def test_upload_without_ajax_header_still_answers_json(member_client, settings):
    response = member_client.post(
        UPLOAD_URL, {"image": SimpleUploadedFile("x.svg", b"<svg/>", "image/svg+xml")}
    )

    assert (response.status_code, response.json()) == (400, {"image": [UNSUPPORTED]})


def test_upload_png_with_appended_html_is_stored_without_it(member_client, settings):
    payload = b"<html><script>alert(1)</script></html>"

    response = upload(member_client, "x.png", image_bytes("PNG") + payload, "image/png")

    assert response.status_code == 200
    stored = (Path(settings.MEDIA_ROOT) / "editor" / stored_name(response)).read_bytes()
    assert payload not in stored


def test_upload_get_is_not_allowed(member_client):
    assert member_client.get(UPLOAD_URL, **AJAX).status_code == 405


def test_upload_anonymous_is_sent_to_login(outsider_client, settings):
    response = upload(outsider_client, "x.png", image_bytes("PNG"), "image/png")

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/markdownx/upload/",
    )
    assert stored_files(settings) == []
