"""A request id on every request, its response and its log lines.

The id comes from the `X-Request-ID` header when the load balancer or proxy
in front sets one (nginx: `proxy_set_header X-Request-ID $request_id`), so
one id follows a request through the proxy's and the app's logs; otherwise
it is a new random one. It is answered in the response's `X-Request-ID`
header, so a member reporting an error can quote it.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

# Ids taken from a header: letters, digits and a few separators, at most
# 64 characters, so a client cannot write arbitrary text into the logs.
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_current = contextvars.ContextVar("request_id", default="-")


def current_request_id():
    """The id of the request being handled in this thread, else "-"."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        token = _current.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (for the formatters)."""

    def filter(self, record):
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request
    id, and the traceback when there is one; a request's status code and
    path when Django's request loggers give them."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        status_code = getattr(record, "status_code", None)
        if status_code is not None:
            entry["status_code"] = status_code
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = request.method
            entry["path"] = request.path
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
