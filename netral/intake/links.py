"""Links to posts: normalised (scheme, host, no tracking parameters) and their platform named."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_PLATFORMS = {
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.watch": "facebook",
    "instagram.com": "instagram",
    "twitter.com": "x",
    "x.com": "x",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "wa.me": "whatsapp",
    "whatsapp.com": "whatsapp",
}
_TRACKING = {"fbclid", "igshid", "igsh", "si", "feature", "gclid", "ref", "ref_src"}


def platform_of(host: str) -> str:
    host = host.lower().removeprefix("www.").removeprefix("m.").removeprefix("mobile.")
    for domain, platform in _PLATFORMS.items():
        if host == domain or host.endswith("." + domain):
            return platform
    return "other"


def normalise_link(raw: str) -> tuple[str, str]:
    """ "www.instagram.com/p/abc?igshid=x" -> ("https://instagram.com/p/abc", "instagram")."""
    text = raw.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if host.startswith(("www.", "m.", "mobile.")):
        host = host.split(".", 1)[1]
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query)
            if k not in _TRACKING and not k.startswith("utm_")
        ]
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, "")), platform_of(host)
