"""Shared fixtures: the demo world (regions, four governments, personas) loaded once per worker."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from netral.demo.seed import seed
    from netral.rules.loader import load_holidays, load_rules

    with django_db_blocker.unblock():
        seed()
        load_rules()
        load_holidays(2019, 2030)


@pytest.fixture(autouse=True)
def _fresh_calendars() -> None:
    """Each test starts with no cached calendar and no reference memo: tests stay independent
    of what earlier tests (rolled back) had built."""
    from netral.core import reference
    from netral.rules import calendar

    calendar._cache.clear()
    reference.forget()  # the same holds for the reference memo


@pytest.fixture(autouse=True)
def _private_storage(settings: Any, tmp_path: Any) -> None:
    """Uploaded files of a test go to its own temporary directory, never to var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "netral.core.storage.WriteOnceFileSystemStorage",
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


# --- Reports ------------------------------------------------------------------------------


def jpeg_with_gps() -> bytes:
    """A small JPEG carrying EXIF with a GPS position and a camera model."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Phone X (camera model)"
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (0.0, 30.0, 0.0)
    gps[3] = "E"
    gps[4] = (117.0, 9.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def photo() -> bytes:
    return jpeg_with_gps()


def recent(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@pytest.fixture
def form_data() -> dict[str, str]:
    return {
        "violation_type": "online-campaign",
        "election": "pilkada-2024",
        "accused_name": "Budi Santoso",
        "accused_agency_text": "Pemerintah Kabupaten Kutai Kartanegara",
        "accused_position": "Guru",
        "accused_nip": "",
        "act_region": "64",
        "act_place": "Tenggarong",
        "act_date": recent(3),
        "learned_date": recent(2),
        "description": "Mengunggah poster calon bupati dengan ajakan memilih di Facebook.",
        "links": "https://www.facebook.com/budi/posts/1?fbclid=abc",
        "identified": "0",
        "statement_true": "on",
        "submission_token": "s" * 24,
        "upload_token": "u" * 24,
    }


@pytest.fixture
def today() -> date:
    return timezone.localdate()


# --- Separate processes (workers, schedulers) ---------------------------------------------------


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Tests that copy the seeded database for other processes run first: pytest-django runs
    transactional tests (which empty the database when they end) after the others, and tests
    without a ``django_db`` mark, like these, last of all."""
    copying = {"process_db", "replicated_db"}
    items.sort(key=lambda item: not copying.intersection(getattr(item, "fixturenames", ())))


@pytest.fixture
def process_db(django_db_setup: Any, django_db_blocker: Any, settings: Any, tmp_path: Any) -> Any:
    """A committed copy of the seeded test database that other processes (``db_worker``,
    ``run_scheduler``) share with this test: PostgreSQL only, since separate processes on one
    server are what several machines look like. The test's own ORM calls use the copy too (in
    autocommit, so the processes see them at once); the copy is dropped afterwards and the
    seeded test database is left untouched.

    Yields the environment for a subprocess: the copy's URL, the database task backend and a
    private var/ directory whose media the test's storage shares.
    """
    import os
    import secrets
    import types
    import warnings

    import psycopg
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("separate worker processes are tested on PostgreSQL (DATABASE_URL=postgres://)")
    params = connection.settings_dict
    original = params["NAME"]
    clone = f"{original[:40]}_procs_{os.getpid()}_{secrets.token_hex(3)}"
    admin_args: dict[str, Any] = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"] or "postgres",
        "dbname": "postgres",
        "autocommit": True,
    }
    if params.get("PASSWORD"):
        admin_args["password"] = params["PASSWORD"]
    var = tmp_path / "var"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(var / "media"), "base_url": "/_private/"},
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_db_blocker.unblock():
        connection.close()
        with psycopg.connect(**admin_args) as admin:
            admin.execute(f'CREATE DATABASE "{clone}" TEMPLATE "{original}"')
        connection.settings_dict["NAME"] = clone
        try:
            password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
            url = (
                f"postgres://{admin_args['user']}{password}@{admin_args['host']}:"
                f"{admin_args['port']}/{clone}"
            )
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "NETRAL_TESTING": "1",
                "NETRAL_TASKS_IMMEDIATE": "0",
                "NETRAL_VAR_DIR": str(var),
            }
            yield types.SimpleNamespace(env=env, url=url, var=var)
        finally:
            connection.close()
            connection.settings_dict["NAME"] = original
            # DROP DATABASE waits until every backend of the server has answered a barrier;
            # a stuck session elsewhere must not hang the test run, so give up after a while.
            try:
                with psycopg.connect(**admin_args) as admin:
                    admin.execute("SET statement_timeout = '60s'")
                    admin.execute(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
            except psycopg.Error as exc:
                warnings.warn(f"could not drop {clone}: {exc}", stacklevel=1)
