"""Where a login attempt comes from, for django-axes (AXES_CLIENT_IP_CALLABLE).

Failed logins are counted per username *and* address (AXES_LOCKOUT_PARAMETERS),
so that someone elsewhere guessing a member's password locks out only
themselves. That needs the person's own address. Served directly, it is
REMOTE_ADDR. Behind the reverse proxy (DJANGO_BEHIND_PROXY=true) REMOTE_ADDR
is the proxy, the same for everyone; the proxy appends the address it was
reached from to X-Forwarded-For, so the last entry there is the person's.
Earlier entries are whatever the client sent and are never believed; without
the proxy the header is ignored altogether.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The address a request comes from, as text (None when there is none)."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip()
        if _is_address(forwarded):
            address = forwarded
    return str(ipaddress.ip_address(address)) if _is_address(address) else None


def _is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
