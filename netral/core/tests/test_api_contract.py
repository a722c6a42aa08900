from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/registry/civil-servants",
        "/api/v1/registry/civil-servants/{nip}",
        "/api/v1/registry/agencies",
        "/api/v1/registry/agencies/{code}/ppk",
    ):
        assert path in paths
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "swagger-ui-bundle.js" in docs.content.decode()


def test_protected_endpoints_answer_401_in_the_error_shape(client):
    response = client.get("/api/v1/registry/civil-servants")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_production_logs_are_one_json_object_per_line():
    formatter_config = settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(
        formatter_config["fmt"], rename_fields=formatter_config["rename_fields"]
    )
    record = logging.LogRecord(
        "netral.test", logging.INFO, __file__, 1, "import %s done", (7,), None
    )
    line = json.loads(formatter.format(record))
    assert line["level"] == "INFO"
    assert line["logger"] == "netral.test"
    assert line["message"] == "import 7 done"
