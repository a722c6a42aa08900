"""Shared fixtures: the demo world (regions, four governments, personas) loaded once per worker."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from netral.demo.seed import seed
    from netral.rules.loader import load_holidays, load_rules

    with django_db_blocker.unblock():
        seed()
        load_rules()
        load_holidays(2019, 2030)


@pytest.fixture(autouse=True)
def _private_storage(settings: Any, tmp_path: Any) -> None:
    """Uploaded files of a test go to its own temporary directory, never to var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/_private/"},
        },
    }


@pytest.fixture
def personas(db: Any) -> dict[str, Any]:
    """The demo users by username: admin, bawaslu.kaltim, bkpsdm.kukar, auditor.kaltim, ..."""
    from netral.accounts.models import User

    return {u.username: u for u in User.objects.all()}


def verified_client(user: Any) -> Client:
    """A browser session that has passed the password and the second factor."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None, f"{user} has no confirmed TOTP device"
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def as_user(personas: dict[str, Any]) -> Any:
    return lambda username: verified_client(personas[username])
