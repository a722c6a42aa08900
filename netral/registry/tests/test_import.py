from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from openpyxl import Workbook

from netral.core.models import AuditEntry
from netral.registry.importing import ImportFileError, import_civil_servants
from netral.registry.models import CivilServant, ImportJob

pytestmark = pytest.mark.django_db

HEADER = "nip,nama,jenis,kode_unit,jabatan,kepala_unit,aktif,tanggal_lahir"
GOOD_1 = "199001012015031001,Andi Wijaya,PNS,64.02-DISDIK,Guru Ahli Muda,0,1,1990-01-01"
GOOD_2 = "199202022022212002,Bunga Lestari,PPPK,64.02-DINKES,Perawat Terampil,,,"


def _csv(tmp_path: Path, *rows: str, name: str = "asn.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_valid_rows_are_imported_and_every_bad_row_is_reported(tmp_path):
    path = _csv(
        tmp_path,
        GOOD_1,
        "19900101201503100,Short Nip,PNS,64.02-DISDIK,,,,",  # row 3: wrong length
        "19900101201503100X,Letters,PNS,64.02-DISDIK,,,,",  # row 4: non-digit
        "199001012015031001,Twice,PNS,64.02-DISDIK,,,,",  # row 5: duplicate of row 2
        "199001032015031001,No Unit,PNS,64.02-NOPE,,,,",  # row 6: unknown unit
        GOOD_2,  # row 7
        "199002302015031001,Bad Date,PNS,64.02-DISDIK,,,,",  # row 8: impossible date: flagged
        "199001042015031001,,PNS,64.02-DISDIK,,,,",  # row 9: no name
        "199001052015031001,Wrong Kind,ASN,64.02-DISDIK,,,,",  # row 10: bad type
        "199001062015031001,Wrong Birth,PNS,64.02-DISDIK,,,,1990-01-07",  # row 11
    )
    result = import_civil_servants(path)
    assert result.total_rows == 10
    assert result.imported == 3
    assert result.flagged == 1
    assert result.rejected == 7
    assert result.created == 3
    problems = {(i.row, i.column, i.severity) for i in result.issues}
    assert problems == {
        (3, "nip", "error"),
        (4, "nip", "error"),
        (5, "nip", "error"),
        (6, "unit_code", "error"),
        (8, "nip", "flagged"),
        (9, "name", "error"),
        (10, "employment_type", "error"),
        (11, "birth_date", "error"),
    }
    andi = CivilServant.objects.get(nip="199001012015031001")
    assert andi.name == "Andi Wijaya"
    assert andi.agency.code == "KAB-64.02"
    assert andi.sex == "M"
    assert andi.birth_date.isoformat() == "1990-01-01"
    assert andi.position is not None
    assert andi.position.name == "Guru Ahli Muda"
    flagged = CivilServant.objects.get(nip="199002302015031001")
    assert flagged.nip_conforms is False
    assert flagged.birth_date is None


def test_reimport_updates_by_nip_without_duplicates(tmp_path):
    import_civil_servants(_csv(tmp_path, GOOD_1))
    changed = GOOD_1.replace("Andi Wijaya", "Andi Wijaya Putra").replace(",0,1,", ",1,0,")
    result = import_civil_servants(_csv(tmp_path, changed, name="again.csv"))
    assert result.created == 0
    assert result.imported == 1
    andi = CivilServant.objects.get(nip="199001012015031001")
    assert andi.name == "Andi Wijaya Putra"
    assert andi.is_head_of_unit is True
    assert andi.is_active is False


def test_xlsx_is_imported_like_csv(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NIP", "Nama", "Jenis", "Kode Unit"])
    sheet.append(["199001012015031001", "Andi Wijaya", "PNS", "64.02-DISDIK"])
    sheet.append([199001022015031002, "Numeric Cell", "PNS", "64.02-DISDIK"])
    sheet.append(["123", "Too Short", "PNS", "64.02-DISDIK"])
    path = tmp_path / "asn.xlsx"
    workbook.save(path)
    with translation.override("en"):
        result = import_civil_servants(path)
        reasons = [(i.row, i.column, str(i.reason)) for i in result.issues]
    assert result.imported == 1
    assert reasons[0][:2] == (3, "nip")
    assert "keeps only 15 digits" in reasons[0][2]
    assert reasons[1][:2] == (4, "nip")
    assert CivilServant.objects.filter(nip="199001012015031001").exists()


def test_missing_required_columns_reject_the_file_with_a_clear_message(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("nip,nama\n199001012015031001,Andi\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="employment_type, unit_code"):
        import_civil_servants(path)


def test_import_scoped_to_the_uploaders_agencies(tmp_path):
    from netral.registry.models import Agency

    kukar = Agency.objects.get(code="KAB-64.02").pk
    sukamara_row = GOOD_1.replace("64.02-DISDIK", "62.08-DISDIK")
    result = import_civil_servants(_csv(tmp_path, sukamara_row), allowed_agencies={kukar})
    assert result.imported == 0
    assert result.issues[0].column == "unit_code"
    with translation.override("en"):
        assert "outside your scope" in str(result.issues[0].reason)


def test_command_reports_rows_in_indonesian_and_audits(tmp_path):
    path = _csv(tmp_path, GOOD_1, "199001032015031001,No Unit,PNS,64.02-NOPE,,,,")
    out = io.StringIO()
    call_command(
        "import_civil_servants", str(path), "--no-progress", stdout=out, stderr=io.StringIO()
    )
    text = out.getvalue()
    assert "baris,kolom,nilai,masalah,hasil" in text
    assert "3,unit_code,64.02-NOPE,tidak ada unit dengan kode ini,tidak diimpor" in text
    assert "2 rows: 1 imported (1 new), 0 flagged, 1 rejected" in text
    assert AuditEntry.objects.filter(action="registry.import.command").count() == 1


def test_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_civil_servants", "/nonexistent.csv")


def test_web_import_runs_as_a_job_with_a_downloadable_report(
    as_user, django_capture_on_commit_callbacks
):
    client = as_user("bkpsdm.kukar")
    upload = io.BytesIO(
        "\n".join([HEADER, GOOD_1, "199001032015031001,No Unit,PNS,64.02-NOPE,,,,"]).encode()
    )
    upload.name = "asn.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registri/impor/", {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/registri/impor/{job.pk}/"
    assert job.status == ImportJob.Status.DONE  # tasks run immediately in tests
    assert (job.imported_rows, job.rejected_rows) == (1, 1)
    page = client.get(f"/registri/impor/{job.pk}/").content.decode()
    assert "1 baris diimpor" in page
    report = client.get(f"/registri/impor/{job.pk}/laporan.csv")
    assert report.status_code == 200
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "3,unit_code,64.02-NOPE,tidak ada unit dengan kode ini,tidak diimpor" in body
    assert set(
        AuditEntry.objects.filter(object_id=str(job.pk)).values_list("action", flat=True)
    ) == {
        "registry.import.start",
        "registry.import.finish",
    }


def test_web_import_keeps_other_users_jobs_private(as_user):
    client = as_user("bkpsdm.kukar")
    upload = io.BytesIO("\n".join([HEADER, GOOD_1]).encode())
    upload.name = "asn.csv"
    client.post("/registri/impor/", {"file": upload})
    job = ImportJob.objects.get()
    other = as_user("bkpsdm.sukamara")
    assert other.get(f"/registri/impor/{job.pk}/").status_code == 404
    assert other.get(f"/registri/impor/{job.pk}/laporan.csv").status_code == 404


def test_web_import_refuses_a_wrong_file_type_and_roles_without_import(as_user):
    client = as_user("bkpsdm.kukar")
    upload = io.BytesIO(b"hello")
    upload.name = "notes.txt"
    response = client.post("/registri/impor/", {"file": upload})
    assert response.status_code == 200
    assert "Pilih berkas .csv atau .xlsx." in response.content.decode()
    assert as_user("bawaslu.kukar").get("/registri/impor/").status_code == 403


def test_mixed_batches_insert_new_and_update_known_nips(tmp_path):
    import_civil_servants(_csv(tmp_path, GOOD_1))
    renamed = GOOD_1.replace("Andi Wijaya", "Andi W.")
    result = import_civil_servants(_csv(tmp_path, renamed, GOOD_2, name="mixed.csv"), batch_size=1)
    assert (result.imported, result.created) == (2, 1)
    again = import_civil_servants(_csv(tmp_path, GOOD_2, renamed, name="again.csv"))
    assert (again.imported, again.created) == (2, 0)
    assert CivilServant.objects.get(nip="199001012015031001").name == "Andi W."
    assert CivilServant.objects.filter(nip="199202022022212002").count() == 1


# --- First load of an empty registry (PostgreSQL) -------------------------------------------------

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the first-load path exists on PostgreSQL"
)


def _schema() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The table's index and constraint definitions, as the catalogue has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = 'registry_civilservant'::regclass ORDER BY 1"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint "
            "WHERE conrelid = 'registry_civilservant'::regclass ORDER BY 1"
        )
        return indexes, cursor.fetchall()


def _empty_registry() -> None:
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute("TRUNCATE registry_civilservant CASCADE")


@needs_postgresql
def test_first_load_reports_bad_rows_and_restores_every_index_and_constraint(tmp_path):
    _empty_registry()
    before = _schema()
    path = _csv(
        tmp_path,
        GOOD_1,
        "19900101201503100,Short Nip,PNS,64.02-DISDIK,,,,",  # row 3: wrong length
        "199001012015031001,Twice,PNS,64.02-DISDIK,,,,",  # row 4: duplicate of row 2
        GOOD_2,
        "199002302015031001,Back\\slash Name,PNS,64.02-DISDIK,,,,",  # flagged, kept
    )
    result = import_civil_servants(path, first_load=True, batch_size=2)
    assert (result.imported, result.rejected, result.flagged, result.created) == (3, 2, 1, 3)
    assert {(i.row, i.column) for i in result.issues} == {(3, "nip"), (4, "nip"), (6, "nip")}
    assert _schema() == before  # same indexes, same constraints, all validated
    andi = CivilServant.objects.get(nip="199001012015031001")
    assert (andi.name, andi.name_key, andi.sex, andi.agency.code) == (
        "Andi Wijaya",
        "andi wijaya",
        "M",
        "KAB-64.02",
    )
    assert andi.position is not None
    assert andi.position.name == "Guru Ahli Muda"
    assert andi.birth_date.isoformat() == "1990-01-01"
    assert andi.is_active
    bunga = CivilServant.objects.get(nip="199202022022212002")
    assert (bunga.employment_type, bunga.sex, bunga.position.name) == (
        "PPPK",
        "F",
        "Perawat Terampil",
    )
    odd = CivilServant.objects.get(nip="199002302015031001")
    assert odd.name == "Back\\slash Name"
    assert odd.birth_date is None
    assert not odd.nip_conforms
    # The constraints are real again: a second row with the same NIP is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        CivilServant.objects.create(
            nip=andi.nip, name="X", agency=andi.agency, unit=andi.unit, employment_type="PNS"
        )


@needs_postgresql
def test_a_first_load_that_fails_leaves_the_table_as_it_was(tmp_path):
    _empty_registry()
    before = _schema()

    def progress(done: int, total: int) -> None:
        if done < total:
            raise RuntimeError("the operator pressed Ctrl+C")

    path = _csv(tmp_path, GOOD_1, GOOD_2)
    with pytest.raises(RuntimeError):
        import_civil_servants(path, first_load=True, batch_size=1, progress=progress)
    assert not CivilServant.objects.exists()
    assert _schema() == before


@needs_postgresql
def test_first_load_is_not_taken_on_a_table_that_has_rows(tmp_path):
    # The demo registry is not empty: the ordinary upsert runs, nothing is locked or dropped.
    before = _schema()
    result = import_civil_servants(_csv(tmp_path, GOOD_1), first_load=None, first_load_min_rows=0)
    assert result.created == 1
    assert _schema() == before


def test_small_first_loads_and_web_imports_take_the_ordinary_path(tmp_path, monkeypatch):
    from netral.registry import importing

    def refuse(self: object) -> bool:
        raise AssertionError("the first-load path must not run")

    monkeypatch.setattr(importing.FirstLoad, "start", refuse)
    CivilServant.objects.filter(nip__in=["199001012015031001"]).delete()
    import_civil_servants(_csv(tmp_path, GOOD_1))  # fewer rows than FIRST_LOAD_MIN_ROWS
    import_civil_servants(_csv(tmp_path, GOOD_2, name="b.csv"), first_load=False)
    assert CivilServant.objects.filter(nip="199202022022212002").exists()


def test_web_import_takes_a_held_file_and_never_holds_a_refused_one(
    as_user, personas, django_capture_on_commit_callbacks
):
    """The form takes the file held from an earlier attempt (``netral.core.held``) when none
    is picked, and releases it once the job starts; a file refused for its type or size is
    what needs fixing, so it is not held."""
    from netral.core import held
    from netral.core.models import HeldFile

    client = as_user("bkpsdm.kukar")
    refused = io.BytesIO(b"hello")
    refused.name = "notes.txt"
    assert client.post("/registri/impor/", {"file": refused}).status_code == 200
    assert not HeldFile.objects.exists()
    token = held.new_token()
    content = "\n".join([HEADER, GOOD_1]).encode()
    held.hold(token, personas["bkpsdm.kukar"], [held.Kept("file", "asn.csv", content)])
    # Another user's submission with the same token finds nothing to take.
    other = as_user("bkpsdm.sukamara").post("/registri/impor/", {"held_token": token})
    assert other.status_code == 200
    assert not ImportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/registri/impor/", {"held_token": token})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.original_name, job.imported_rows) == ("asn.csv", 1)
    assert not HeldFile.objects.filter(token=token).exists()
