"""Past cases imported row by row; resign to run; matching the accused with the registry."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from netral.accounts.queries import scope_for
from netral.cases.candidacy import record_candidacy, still_active
from netral.cases.history import import_history
from netral.cases.models import CandidateRegistration, Case, State
from netral.cases.queries import follow_up
from netral.cases.services import InvalidInputs, perform
from netral.registry.models import CivilServant
from netral.rules.models import Election

pytestmark = pytest.mark.django_db

HEADER = [
    "nomor",
    "kantor",
    "pemilihan",
    "nama",
    "nip",
    "jenis_pelanggaran",
    "tahap",
    "tanggal_registrasi",
    "tanggal_diteruskan",
    "tanggal_rekomendasi",
    "jalur",
    "sanksi_rekomendasi",
    "tanggal_keputusan",
    "tanggal_ditutup",
]


def workbook(rows, tmp_path, name="register.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def kukar_nip():
    return CivilServant.objects.filter(agency__code="KAB-64.02").order_by("pk").first().nip


def test_history_import_keeps_valid_rows_and_reports_every_bad_one(tmp_path, personas):
    nip = kukar_nip()
    path = workbook(
        [
            # A closed case, followed up in time.
            [
                "KASN/2024/001",
                "BAWASLU-64.02",
                "pilkada-2024",
                "A",
                nip,
                "online-campaign",
                "closed",
                "2024-08-01",
                "2024-08-05",
                "2024-08-12",
                "discipline",
                "heavy-demotion",
                "2024-08-20",
                "2024-09-01",
            ],
            # An open recommendation: its PPK deadline is long past.
            [
                "KASN/2024/002",
                "BAWASLU-64.02",
                "pilkada-2024",
                "B",
                nip,
                "banner",
                "recommendation_issued",
                "2024-08-01",
                "2024-08-05",
                "2024-08-12",
                "discipline",
                "heavy-demotion",
                "",
                "",
            ],
            [
                "KASN/2024/003",
                "NO-SUCH-OFFICE",
                "pilkada-2024",
                "C",
                "",
                "banner",
                "flying",
                "2024-13-01",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "KASN/2024/001",
                "BAWASLU-64.02",
                "",
                "D",
                "",
                "",
                "registered",
                "2024-08-01",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "KASN/2024/005",
                "BAWASLU-64.02",
                "",
                "E",
                "",
                "",
                "forwarded",
                "2024-08-01",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ],
        tmp_path,
    )
    result = import_history(path, actor=personas["analis.bkn"])
    assert (result.total_rows, result.imported, result.rejected) == (5, 2, 3)
    problems = {(i.row, i.column) for i in result.issues}
    assert {(4, "office"), (4, "state"), (4, "registered_on")} <= problems
    assert (5, "number") in problems  # a duplicate number inside the file
    assert (6, "forwarded_on") in problems  # forwarded without a forwarding date
    closed = Case.objects.get(number="KASN/2024/001")
    assert closed.imported
    assert closed.reviewing_agency.code == "kasn"  # forwarded before 4 Sep 2024
    assert closed.events.get().transition == "import"
    open_ = Case.objects.get(number="KASN/2024/002")
    assert open_.state == State.RECOMMENDATION_ISSUED
    # KASN recommended before 4 Sep 2024 and the file is still open: its follow-up is reported to
    # MenPANRB (SE MenPANRB 4/2024).
    assert open_.reviewing_agency.code == "menpanrb"
    assert open_.due_date is not None
    assert open_.due_date < date(2024, 9, 30)
    rows = follow_up(scope_for(personas["analis.bkn"]), today=date(2024, 12, 1))
    assert (rows[0].received, rows[0].in_time, rows[0].open_overdue) == (2, 1, 1)


def test_a_file_kasn_had_not_processed_goes_to_bkn(tmp_path, personas):
    path = workbook(
        [
            [
                "KASN/2024/010",
                "BAWASLU-64.02",
                "pilkada-2024",
                "F",
                kukar_nip(),
                "banner",
                "forwarded",
                "2024-08-01",
                "2024-08-26",
                "",
                "",
                "",
                "",
                "",
            ]
        ],
        tmp_path,
    )
    result = import_history(path, actor=personas["analis.bkn"])
    assert result.imported == 1, result.issues
    # Forwarded to KASN, not yet processed on 4 Sep 2024: the file went to BKN.
    assert Case.objects.get(number="KASN/2024/010").reviewing_agency.code == "bkn"


def test_history_import_command_and_page(tmp_path, personas, as_user):
    path = workbook(
        [["X/1", "BAWASLU-64.02", "", "A", "", "", "registered", "2024-08-01"] + [""] * 6],
        tmp_path,
    )
    out = io.StringIO()
    call_command("import_cases", str(path), "--user", "analis.bkn", "--dry-run", stdout=out)
    assert "1 checked" in out.getvalue()
    assert not Case.objects.exists()
    bad = workbook(
        [["X/2", "NOPE", "", "A", "", "", "registered", "2024-08-01"] + [""] * 6],
        tmp_path,
        "bad.xlsx",
    )
    with pytest.raises(CommandError):
        call_command("import_cases", str(bad), "--user", "analis.bkn", stdout=io.StringIO())
    page = as_user("analis.bkn").post(
        "/perkara/impor/",
        {"file": SimpleUploadedFile("r.xlsx", path.read_bytes())},
    )
    assert page.status_code == 200, page.content.decode()[-3000:]
    assert "1 baris: 1 sah" in page.content.decode()
    assert Case.objects.filter(number="X/1", imported=True).exists()
    assert as_user("bawaslu.kukar").get("/perkara/impor/").status_code == 403


def test_resign_to_run_flags_candidates_still_active_after_determination(personas, as_user):
    election = Election.objects.get(slug="pilkada-2024")
    servants = list(CivilServant.objects.filter(agency__code="KAB-64.02").order_by("pk")[:3])
    record_candidacy(
        election=election,
        civil_servant=servants[0],
        registered_on=date(2024, 8, 27),
        resigned_on=None,
        decree="",
        actor=personas["bkpsdm.kukar"],
    )
    record_candidacy(
        election=election,
        civil_servant=servants[1],
        registered_on=date(2024, 8, 27),
        resigned_on=date(2024, 9, 1),
        decree="800/1/2024",
        actor=personas["bkpsdm.kukar"],
    )
    CivilServant.objects.filter(pk=servants[1].pk).update(is_active=False)
    record_candidacy(
        election=election,
        civil_servant=servants[2],
        registered_on=date(2024, 8, 27),
        resigned_on=date(2024, 10, 1),
        decree="800/2/2024",
        actor=personas["bkpsdm.kukar"],
    )
    CivilServant.objects.filter(pk=servants[2].pk).update(is_active=False)
    everyone = CandidateRegistration.objects.all()
    assert not still_active(everyone, election, date(2024, 9, 1)).exists()  # not determined yet
    flagged = set(
        still_active(everyone, election, date(2024, 10, 2)).values_list("civil_servant", flat=True)
    )
    assert flagged == {servants[0].pk, servants[2].pk}
    page = as_user("bkpsdm.kukar").get("/perkara/calon/?election=pilkada-2024").content.decode()
    assert page.count('class="flag">masih aktif setelah penetapan') == 2
    refused = as_user("bkpsdm.sukamara").post(
        "/perkara/calon/",
        {"election": "pilkada-2024", "nip": servants[0].nip, "registered_on": "2024-08-27"},
    )
    assert refused.status_code == 422


def test_matching_the_accused_gives_the_case_its_agency(case_factory, scopes):
    case = case_factory(agency=None)
    user, scope = scopes("bawaslu.kukar")
    with pytest.raises(InvalidInputs) as unknown:
        perform(
            case_id=case.pk,
            name="identify_accused",
            actor=user,
            scope=scope,
            version=1,
            inputs={"nip": "199001012015031001"},
        )
    assert "nip" in unknown.value.errors
    nip = kukar_nip()
    case = perform(
        case_id=case.pk,
        name="identify_accused",
        actor=user,
        scope=scope,
        version=1,
        inputs={"nip": nip},
    )
    assert case.agency.code == "KAB-64.02"
    assert case.accused.get().civil_servant.nip == nip
    other = CivilServant.objects.filter(agency__code="KAB-62.08").first()
    with pytest.raises(InvalidInputs) as elsewhere:
        perform(
            case_id=case.pk,
            name="identify_accused",
            actor=user,
            scope=scope,
            version=2,
            inputs={"nip": other.nip},
        )
    assert "PPK" in elsewhere.value.errors["nip"]


def test_demo_cases_cover_the_stages_once(db):
    from netral.demo.cases import seed_cases

    assert seed_cases() == 6
    assert seed_cases() == 0
    states = set(Case.objects.values_list("state", flat=True))
    assert {State.REGISTERED, State.FORWARDED, State.RECEIVED_BY_PPK, State.NOT_VIOLATION} <= states
    assert Case.objects.filter(documents__kind="recommendation_letter").count() == 2


def test_the_import_page_keeps_the_file_it_did_not_import(tmp_path, personas, as_user):
    """Checked only, or refused as a whole: the file is held, and the next submission without
    a file takes it (the clerk unticks "check only" and sends again); once imported, it is
    released."""
    import re

    from netral.core.models import HeldFile

    path = workbook(
        [["X/9", "BAWASLU-64.02", "", "A", "", "", "registered", "2024-08-01"] + [""] * 6],
        tmp_path,
    )
    client = as_user("analis.bkn")
    checked = client.post(
        "/perkara/impor/",
        {"file": SimpleUploadedFile("daftar.xlsx", path.read_bytes()), "dry_run": "on"},
    ).content.decode()
    assert "1 baris: 1 sah" in checked
    assert "daftar.xlsx" in checked.split('id="held-file"')[1].split("</p>")[0]
    token = re.search(r'name="held_token" value="([^"]+)"', checked).group(1)
    assert not Case.objects.exists()
    imported = client.post("/perkara/impor/", {"held_token": token})
    assert imported.status_code == 200
    assert "1 baris: 1 sah" in imported.content.decode()
    assert Case.objects.filter(number="X/9", imported=True).exists()
    assert not HeldFile.objects.filter(token=token).exists()
    # A file refused as a whole is held too, with its error, and read again when sent again.
    refused = client.post(
        "/perkara/impor/", {"file": SimpleUploadedFile("x.csv", b"nomor,kantor\n1,2\n")}
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "x.csv" in html.split('id="held-file"')[1].split("</p>")[0]
    assert "nama, tahap, tanggal_registrasi" in html or "name, state, registered_on" in html
    token = re.search(r'name="held_token" value="([^"]+)"', html).group(1)
    again = client.post("/perkara/impor/", {"held_token": token})
    assert again.status_code == 422
    assert "x.csv" in again.content.decode().split('id="held-file"')[1].split("</p>")[0]
    # Without a held file, nothing to take: the page asks for one.
    assert client.post("/perkara/impor/", {}).status_code == 422
