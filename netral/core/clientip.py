"""The client's address behind ``NETRAL_PROXY_COUNT`` trusted reverse proxies.

Each trusted proxy appends the address it received the request from to ``X-Forwarded-For``, so
the client's own address is the ``NETRAL_PROXY_COUNT``-th entry from the right. Entries further
left were written by the client and are not trusted (taking the first entry would let anyone
choose the address a rate limit counts). ``RATELIMIT_IP_META_KEY`` names this function.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address rate limits count: ``REMOTE_ADDR`` without proxies, else the trusted entry
    of ``X-Forwarded-For`` (``REMOTE_ADDR`` when the header is missing, too short or invalid)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "NETRAL_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    entries = [e.strip() for e in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    entries = [e for e in entries if e]
    if len(entries) < proxies:
        return remote
    candidate = entries[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
