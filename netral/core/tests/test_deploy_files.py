"""The deployment files stay true to the code: the example environment file lists every setting
the application reads, nginx's body limit is the application's, and the systemd units only use
variables the environment file defines. (deploy/topology.sh runs these very files; the chaos
test, scripts/chaos.py, exercises them under load.)"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
# env_str("NAME", ...), env_int(...), os.environ.get("NAME"), os.environ["NAME"], os.getenv(...),
# across line breaks.
READ = re.compile(
    r"(?:env_(?:str|int|bool|list)\(|os\.environ\.get\(|os\.environ\[|os\.getenv\()\s*"
    r"[\"']([A-Z][A-Z0-9_]+)[\"']"
)


def _names_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "netral").rglob("*.py"):
        if "tests" in path.parts:
            continue
        names |= set(READ.findall(path.read_text(encoding="utf-8")))
    return names


def _example() -> dict[str, str]:
    """Every KEY=value of the example file, set or shown commented with its default."""
    values = {}
    for line in (DEPLOY / "netral.env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def test_the_example_environment_lists_every_setting_the_code_reads():
    read = _names_read_by_the_code()
    # The reader finds what settings.py reads, including calls spread over several lines.
    assert {"DATABASE_URL", "NETRAL_SECRET_KEY", "NETRAL_EMAIL_BACKEND", "NETRAL_PG_BIN"} <= read
    missing = sorted(read - set(_example()))
    assert missing == [], f"add these to deploy/netral.env.example: {missing}"


def test_the_example_environment_has_the_storage_credentials_and_the_unit_variables():
    example = _example()
    # boto3 reads these for NETRAL_STORAGE_URL=s3://...
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(example)
    for unit in (DEPLOY / "systemd").glob("*.service"):
        text = unit.read_text(encoding="utf-8")
        (exec_start,) = re.findall(r"^ExecStart=(.*)$", text, flags=re.MULTILINE)
        assert "EnvironmentFile=/etc/netral/netral.env" in text
        for name in re.findall(r"\$\{(\w+)\}", exec_start):
            assert name in example, f"{unit.name} uses ${{{name}}}, not in the example file"


def test_nginx_refuses_what_the_application_refuses_and_tells_it_the_scheme():
    conf = (DEPLOY / "nginx" / "netral.conf").read_text(encoding="utf-8")
    (limit,) = re.findall(r"client_max_body_size (\d+)m;", conf)
    assert int(limit) * 1024 * 1024 == settings.NETRAL_MAX_REQUEST_BYTES
    assert _example()["NETRAL_MAX_REQUEST_BYTES"] == str(settings.NETRAL_MAX_REQUEST_BYTES)
    proxied = conf.count("proxy_pass http://netral_web;")
    assert proxied == 2
    assert conf.count("proxy_set_header X-Forwarded-Proto $scheme;") == proxied
    assert re.search(r"listen 443 ssl", conf)
    assert "ssl_certificate " in conf
    # Static files from the directory collectstatic fills (NETRAL_VAR_DIR/static).
    static_root = _example()["NETRAL_VAR_DIR"].rstrip("/") + "/static/"
    assert f"location /{settings.STATIC_URL.strip('/')}/ {{\n        alias {static_root};" in conf
    # Two nodes, both named in the web unit's instances, with passive failover.
    assert re.findall(r"server 127\.0\.0\.1:(\d+) max_fails", conf) == ["8001", "8002"]
    # A POST that reached a node is never sent to another one (no non_idempotent).
    assert re.findall(r"proxy_next_upstream [a-z_ ]+;", conf) == [
        "proxy_next_upstream error timeout;"
    ]
