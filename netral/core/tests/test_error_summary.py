"""A form sent with errors starts with a summary that links to each invalid field (GOV.UK)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_the_report_form_summarises_its_errors_with_links(client: Any) -> None:
    response = client.post("/lapor/", {"identified": "1"})
    assert response.status_code == 422
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary is not None
    links = re.findall(r'href="#([^"]+)"', summary.group(0))
    assert "id_description" in links
    assert "id_reporter_name" in links  # a formal report needs the name
    for target in links:
        assert f'id="{target}"' in html


def test_identity_fields_say_when_they_are_required(client: Any) -> None:
    html = client.get("/lapor/").content.decode()
    identity = html[html.index('id="identity"') :]
    name_label = re.search(r'<label for="id_reporter_name">(.*?)</label>', identity, re.S)
    assert name_label is not None
    assert "wajib untuk laporan resmi" in name_label.group(1)
    assert "tidak wajib" not in name_label.group(1)
