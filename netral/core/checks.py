from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from netral.core.checkpoints import parse_signing_key, trusted_keys


@register(Tags.security, deploy=True)
def audit_signing_key(app_configs: Any, **kwargs: Any) -> list[Any]:
    try:
        key = parse_signing_key(settings.NETRAL_AUDIT_SIGNING_KEY)
        trusted_keys()
    except ImproperlyConfigured as exc:
        return [
            Error(
                f"NETRAL_AUDIT_SIGNING_KEY / NETRAL_AUDIT_PUBLIC_KEYS: {exc}",
                hint="Set NETRAL_AUDIT_SIGNING_KEY=id:<base64 of 32 random bytes>.",
                id="netral.E002",
            )
        ]
    if key.key_id == "dev":
        return [Warning("The development audit signing key is in use.", id="netral.W002")]
    return []
