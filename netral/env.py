"""Small typed readers for environment variables: every deployment knob is visible in settings."""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def storage_from_url(url: str, media_root: str) -> dict[str, object]:
    """The default file storage from ``NETRAL_STORAGE_URL``.

    Empty (the default) or ``file:///path``: a local directory. ``s3://bucket/prefix?endpoint_url=
    https://minio.example:9000&region_name=...&addressing_style=path``: an S3-compatible bucket
    (django-storages with boto3; credentials from ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``
    or the machine's role). Both write each file once and never overwrite one.
    """
    from urllib.parse import parse_qs, urlparse

    if not url or url.startswith("file:"):
        location = urlparse(url).path if url else media_root
        return {
            "BACKEND": "netral.core.storage.WriteOnceFileSystemStorage",
            "OPTIONS": {"location": location or media_root, "base_url": "/_private/"},
        }
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(
            f"NETRAL_STORAGE_URL must be empty, file:///path or s3://bucket, got {url!r}"
        )
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    allowed = {"endpoint_url", "region_name", "addressing_style", "signature_version"}
    unknown = set(query) - allowed
    if unknown:
        raise ValueError(f"NETRAL_STORAGE_URL: unknown option(s) {sorted(unknown)}")
    options: dict[str, object] = {
        "bucket_name": parsed.netloc,
        "location": parsed.path.strip("/"),
        "file_overwrite": False,  # a taken name gets a new one, never replaces the file
        "default_acl": None,  # private: files are only read through the app's views
        "querystring_auth": True,
        "querystring_expire": 300,
        **query,
    }
    return {"BACKEND": "netral.core.storage.WriteOnceS3Storage", "OPTIONS": options}
