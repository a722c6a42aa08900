from __future__ import annotations

import pytest
from django.core.management import call_command

from netral.intake import crypto
from netral.intake.models import Report
from netral.intake.services import masked_identity
from netral.intake.tests.test_reporting import _receipt

pytestmark = pytest.mark.django_db

OLD = "old:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
NEW = "new:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


def test_rotation_re_encrypts_identities_with_the_new_key(client, form_data, settings):
    settings.NETRAL_IDENTITY_KEYS = OLD
    identified = {**form_data, "identified": "1", "reporter_name": "Siti Aminah",
                  "reporter_nik": "6402014506900001", "reporter_address": "Jl. Mawar 1",
                  "reporter_email": "siti@example.org"}  # fmt: skip
    code, _ = _receipt(client.post("/lapor/", identified).content.decode())
    report = Report.objects.get(receipt_code=code)
    assert crypto.key_id_of(bytes(report.reporter_identity)) == "old"
    settings.NETRAL_IDENTITY_KEYS = f"{NEW},{OLD}"
    call_command("rotate_identity_key", stdout=None)
    report.refresh_from_db()
    assert crypto.key_id_of(bytes(report.reporter_identity)) == "new"
    settings.NETRAL_IDENTITY_KEYS = NEW  # the old key can now be removed
    assert masked_identity(report)["nik"] is True  # still readable with the new key alone
