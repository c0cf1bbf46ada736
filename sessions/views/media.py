"""Uploaded files (slides, editor images), for logged-in members only.

Login is enforced by LoginRequiredMiddleware before this view runs. Then,
by `MEDIA_SERVE` (DJANGO_MEDIA_SERVE):

- `stream`: the app reads the file from the storage (local disk or the
  bucket) and sends it;
- `redirect` (S3 storage only): a redirect to a presigned URL of the object
  that expires after `MEDIA_URL_EXPIRY` seconds, so the bucket sends it;
- `accel` (local disk behind nginx): an empty response whose
  `X-Accel-Redirect` header names the file under nginx's `internal`
  location `MEDIA_ACCEL_PREFIX`, so nginx sends it (deploy/nginx/).

Files the app sends carry `X-Content-Type-Options: nosniff` (from
SecurityMiddleware) and a sandboxing Content-Security-Policy, so a browser
never runs an upload as a page of the site.
"""

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers

SANDBOX = "sandbox; default-src 'none'; img-src 'self'"


def _stored_name(path):
    """`path` as a name in the storage; 400 for anything outside it, 404
    for hidden names (an upload still being written is `.<uuid>.part`)."""
    if (
        "\x00" in path
        or "\\" in path
        or posixpath.normpath(path) != path
        or path.startswith(("/", ".."))
    ):
        raise SuspiciousFileOperation(f"Media path outside the storage: {path!r}")
    if any(part.startswith(".") for part in path.split("/")):
        raise Http404
    return path


def serve_media(request, path):
    name = _stored_name(path)
    if not default_storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if settings.MEDIA_SERVE == "redirect":
        response = HttpResponseRedirect(default_storage.signed_url(name, settings.MEDIA_URL_EXPIRY))
        # The address expires: neither the browser nor a proxy keeps it.
        add_never_cache_headers(response)
        return response
    if settings.MEDIA_SERVE == "accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX + quote(name)
    else:
        try:
            response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        except FileNotFoundError:
            raise Http404 from None
    response["Content-Security-Policy"] = SANDBOX
    return response
