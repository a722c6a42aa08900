"""Files in an S3-compatible bucket (moto's server on a random loopback port, started here):
letters are written there once, never overwritten, and read only through the app's checks."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from netral.cases.models import CaseDocument, State
from netral.cases.tests.test_workflow import step, walk_to
from netral.core.storage import FileExists
from netral.env import storage_from_url

pytestmark = pytest.mark.django_db

BUCKET = "netral-test"  # moto keeps its buckets for the process: each test empties it first


@pytest.fixture
def s3_bucket(settings, monkeypatch):
    """An S3-compatible server of our own (moto) on 127.0.0.1 and a random port, one bucket."""
    server_module = pytest.importorskip(
        "moto.server", reason="moto[server] is in the dev group: run `make install`"
    )
    import boto3

    for key, value in {
        "AWS_ACCESS_KEY_ID": "netral-test",
        "AWS_SECRET_ACCESS_KEY": "netral-test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        for item in listed:
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
        settings.STORAGES = {
            **settings.STORAGES,
            "default": storage_from_url(
                f"s3://{BUCKET}/media?endpoint_url={endpoint}&region_name=us-east-1",
                "/nonexistent",
            ),
        }
        yield client
    finally:
        server.stop()


def test_the_storage_setting_reads_one_url():
    local = storage_from_url("", "/srv/netral/media")
    assert local["BACKEND"] == "netral.core.storage.WriteOnceFileSystemStorage"
    assert local["OPTIONS"]["location"] == "/srv/netral/media"
    assert storage_from_url("file:///data/files", "/x")["OPTIONS"]["location"] == "/data/files"
    s3 = storage_from_url(
        "s3://evidence/netral?endpoint_url=https://minio.internal:9000&addressing_style=path", "/x"
    )
    assert s3["BACKEND"] == "netral.core.storage.WriteOnceS3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "evidence"
    assert s3["OPTIONS"]["location"] == "netral"
    assert s3["OPTIONS"]["endpoint_url"] == "https://minio.internal:9000"
    assert s3["OPTIONS"]["file_overwrite"] is False
    assert s3["OPTIONS"]["default_acl"] is None
    with pytest.raises(ValueError, match="s3://bucket"):
        storage_from_url("ftp://files", "/x")
    with pytest.raises(ValueError, match="unknown option"):
        storage_from_url("s3://evidence?acl=public-read", "/x")


def test_a_stored_file_is_never_overwritten_locally(tmp_path):
    name = default_storage.save("cases/original.pdf", ContentFile(b"%PDF-1 original"))
    with pytest.raises(FileExists):
        default_storage._save(name, ContentFile(b"%PDF-1 forged"))
    other = default_storage.save(name, ContentFile(b"%PDF-1 second"))
    assert other != name
    assert default_storage.open(name).read() == b"%PDF-1 original"


def test_letters_live_in_the_bucket_written_once_and_read_through_the_app(
    s3_bucket, case_factory, scopes, as_user
):
    case = walk_to(case_factory(), scopes, State.UNDER_STUDY)
    case = step(
        case,
        "forward",
        "bawaslu.kukar",
        scopes,
        date(2024, 10, 16),
        {"violation_types": ["online-campaign"], "summary": "Kajian."},
    )
    letter = case.documents.get(kind=CaseDocument.Kind.FORWARDING_LETTER)
    assert letter.sha256
    key = f"media/{letter.file.name}"
    stored = s3_bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored.startswith(b"%PDF")
    assert hashlib.sha256(stored).hexdigest() == letter.sha256
    # Written once: the same name again is refused, and a save under it gets another name.
    with pytest.raises(FileExists):
        default_storage._save(letter.file.name, ContentFile(b"forged"))
    renamed = default_storage.save(letter.file.name, ContentFile(b"%PDF-1 other"))
    assert renamed != letter.file.name
    again = s3_bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert hashlib.sha256(again).hexdigest() == letter.sha256
    # Read only through the app: streamed to its office, refused to an office elsewhere.
    url = f"/perkara/{case.pk}/dokumen/{letter.pk}/"
    response = as_user("bawaslu.kukar").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert as_user("bawaslu.sukamara").get(url).status_code in {403, 404}


def test_evidence_originals_and_working_copies_live_in_the_bucket(
    s3_bucket, client, form_data, as_user, photo
):
    from netral.cases.tests.test_trust import _registered
    from netral.intake.models import Report

    _case, code, _secret = _registered(client, form_data, as_user, photo=photo)
    evidence = Report.objects.get(receipt_code=code).evidence.get()
    original = s3_bucket.get_object(Bucket=BUCKET, Key=f"media/{evidence.original.name}")
    content = original["Body"].read()
    assert content == photo
    assert hashlib.sha256(content).hexdigest() == evidence.sha256
    working = s3_bucket.get_object(Bucket=BUCKET, Key=f"media/{evidence.working.name}")
    assert hashlib.sha256(working["Body"].read()).hexdigest() == evidence.working_sha256
    officer = as_user("bawaslu.kukar")
    response = officer.get(f"/laporan/{code}/bukti/{evidence.pk}/asli/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == photo
    assert as_user("bawaslu.sukamara").get(
        f"/laporan/{code}/bukti/{evidence.pk}/asli/"
    ).status_code in {
        403,
        404,
    }


def test_the_backup_finds_every_file_in_the_bucket(s3_bucket):
    from django.core.files.storage import storages

    from netral.core.backup import _walk

    storage = storages["default"]
    names = [
        storage.save("evidence/originals/2026/12/a.jpg", ContentFile(b"a")),
        storage.save("cases/2026/12/b.pdf", ContentFile(b"b")),
        storage.save("top.txt", ContentFile(b"c")),
    ]
    assert sorted(_walk(storage)) == sorted(names)
