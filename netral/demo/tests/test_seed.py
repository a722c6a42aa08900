from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from netral.demo.seed import seed
from netral.registry.models import CivilServant, PPKAppointment

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


def test_seed_is_idempotent_and_prints_every_login(settings):
    before = (CivilServant.objects.count(), PPKAppointment.objects.count())
    seed()
    assert (CivilServant.objects.count(), PPKAppointment.objects.count()) == before
    assert before[0] == 2001  # 2,000 generated and the demo official kadis.kukar
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for username in ("admin", "bawaslu.kaltim", "bkpsdm.kukar", "ppk.kukar", "auditor.kaltim"):
        assert username in text
    assert "netral-demo-2024" in text


def test_demo_civil_servants_have_valid_nips():
    from netral.registry.nip import parse_nip

    for servant in CivilServant.objects.all()[:500]:
        info = parse_nip(servant.nip, servant.employment_type)
        assert info.conforms, (servant.nip, info.problem)
        assert info.birth_date == servant.birth_date
