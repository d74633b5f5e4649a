"""The client address django-axes counts failures against."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from core.ratelimit import client_ip


def axes_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address core.ratelimit.client_ip sees (GOVOPEN_CLIENT_IP_HEADER behind a
    proxy), or None when it is not an IP address. Axes stores it in an ``inet`` column, so a garbled header or a
    request built without an address (Django's force_login) must not reach the database as text."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
