from django.conf import settings
from django.views.static import serve


def serve_media(request, path):
    """Uploaded files (slides, editor images), for logged-in members only.

    Login is enforced by LoginRequiredMiddleware; SecurityMiddleware adds
    `X-Content-Type-Options: nosniff`, so a browser never runs an upload as
    something other than its declared type.
    """
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response
