from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from netral.intake.crypto import parse_keys


@register(Tags.security, deploy=True)
def identity_keys(app_configs: Any, **kwargs: Any) -> list[Any]:
    try:
        ring = parse_keys(settings.NETRAL_IDENTITY_KEYS)
    except ImproperlyConfigured as exc:
        return [
            Error(
                f"NETRAL_IDENTITY_KEYS: {exc}",
                hint="Set NETRAL_IDENTITY_KEYS=id:<base64 of 32 random bytes>.",
                id="netral.E001",
            )
        ]
    if ring.current == "dev":
        return [Warning("The development identity key is in use.", id="netral.W001")]
    return []
