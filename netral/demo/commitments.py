"""Demo prevention records: a pact ceremony, a pledge ceremony, an event and Kukar's circular."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction

from netral.accounts.models import User
from netral.commitments import services
from netral.commitments.models import Circular, EventAttendance, Pact, SocialisationEvent
from netral.registry.models import Agency, CivilServant, Office
from netral.rules.models import Election


@transaction.atomic
def seed_commitments() -> bool:
    if Pact.objects.exists():
        return False
    election = Election.objects.get(slug="pilkada-2024")
    kukar = Agency.objects.get(code="KAB-64.02")
    clerk = User.objects.get(username="bkpsdm.kukar")
    heads = CivilServant.objects.filter(agency=kukar, is_head_of_unit=True, is_active=True)
    signing = list(heads.exclude(user__isnull=False).order_by("pk").values_list("nip", flat=True))
    # Two heads of unit were away: the coverage page shows them missing.
    services.record_ceremony(
        election=election,
        agency=kukar,
        nips=signing[:-2],
        signed_on=date(2024, 9, 30),
        actor=clerk,
    )
    ceremony = services.open_ceremony(
        election=election,
        agency=kukar,
        held_on=date(2024, 10, 1),
        place="Halaman Kantor Bupati Kutai Kartanegara, Tenggarong",
        led_by="Sekretaris Daerah Kabupaten Kutai Kartanegara",
        actor=clerk,
    )
    servants = list(CivilServant.objects.filter(agency=kukar).order_by("pk")[:300])
    services.record_attendance(
        ceremony=ceremony,
        nips=[(i, s.nip) for i, s in enumerate(servants, start=1)],
        method="list",
        actor=clerk,
    )
    event = SocialisationEvent.objects.create(
        election=election,
        region_id="64.02",
        title="Sosialisasi Netralitas ASN pada Pilkada 2024",
        held_on=date(2024, 9, 12),
        mode=SocialisationEvent.Mode.VIRTUAL,
        link="https://meet.example.invalid/netralitas-kukar",
        bawaslu_office=Office.objects.get(code="BAWASLU-64.02"),
        personnel_office=Office.objects.get(code="BKPSDM-64.02"),
        speakers="Ketua Bawaslu Kutai Kartanegara; Kepala BKPSDM",
        created_by=User.objects.get(username="bawaslu.kukar"),
    )
    event.target_agencies.set([kukar])
    EventAttendance.objects.bulk_create(
        [
            EventAttendance(event=event, election=election, civil_servant=s, agency_id=s.agency_id)
            for s in servants[:120]
        ]
    )
    from netral.commitments.tallies import refresh_after_commit

    refresh_after_commit(election.pk, {kukar.pk})
    from weasyprint import HTML

    pdf = bytes(
        HTML(
            string="<h1>Surat Edaran P-20/PKAP/800.1.10/10/2024</h1>"
            "<p>Netralitas ASN pada Pemilihan Bupati dan Wakil Bupati 2024 (contoh demo).</p>"
        ).write_pdf()
    )
    circular = Circular(
        election=election,
        region_id="64.02",
        number="P-20/PKAP/800.1.10/10/2024",
        issued_on=date(2024, 10, 1),
        issuer="Bupati Kutai Kartanegara",
        title="Netralitas Aparatur Sipil Negara pada Pilkada Serentak 2024",
        addressees="Kepala Perangkat Daerah, Camat, Lurah dan Kepala Desa",
        sha256=hashlib.sha256(pdf).hexdigest(),
        created_by=clerk,
    )
    circular.document.save("P-20-PKAP-800.1.10-10-2024.pdf", ContentFile(pdf))
    return True
