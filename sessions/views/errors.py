"""The page for a failed request (handler500): 503 while the database is
unreachable, 500 otherwise. Neither touches the database."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

# Seconds a client is asked to wait before trying again (Retry-After).
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """Django calls this while it handles the exception that ended the
    request (and then logs it), so `sys.exc_info()` is that exception. A
    database that refuses connections or drops them raises
    OperationalError or InterfaceError: the page says to try again soon."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
