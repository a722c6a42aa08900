"""A reporter's answer with a file is confirmed, and the files they sent are listed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netral.intake.tests.test_reporting import _receipt

pytestmark = pytest.mark.django_db


def test_an_answer_with_a_file_is_confirmed_and_the_file_listed(
    client: Any, form_data: dict[str, str], photo: bytes
) -> None:
    code, secret = _receipt(client.post("/lapor/", form_data).content.decode())
    answer = client.post(
        "/lapor/status/",
        {
            "receipt_code": code,
            "secret": secret,
            "body": "Ini tangkapan layar lainnya.",
            "upload_token": "u" * 24,
            "attachments": SimpleUploadedFile("layar-2.jpg", photo, content_type="image/jpeg"),
        },
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Jawaban Anda sudah dikirim ke Bawaslu." in html
    assert "Berkas diterima: layar-2.jpg." in html
    listed = html[html.index('id="sent-files"') :]
    assert "layar-2.jpg" in listed[: listed.index("</ul>")]
