"""Helpers for tests that run real worker and scheduler processes beside the test."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tasks import task

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")

# A worker whose ``target`` (a dotted function) never returns: the job it runs stays in the
# middle of its work until the test kills the process.
HANGING_WORKER = """
import sys, time, django
from importlib import import_module
from unittest import mock
django.setup()
module, name = sys.argv[1].rsplit(".", 1)
def hang(*args, **kwargs):
    time.sleep(3600)
with mock.patch.object(import_module(module), name, hang):
    from django.core.management import call_command
    call_command("db_worker", "--interval", "0.1", "--no-startup-delay")
"""


def manage(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, MANAGE, *args],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def hanging_worker(env: dict[str, str], target: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own script with fixed arguments
        [sys.executable, "-c", HANGING_WORKER, target],
        env={**env, "DJANGO_SETTINGS_MODULE": "netral.settings"},
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def finish(process: subprocess.Popen[bytes], timeout: float = 180) -> str:
    """Wait for a process that ends by itself (``--batch``, ``--once``); its output."""
    out, _err = process.communicate(timeout=timeout)
    text = out.decode(errors="replace")
    assert process.returncode == 0, text[-3000:]
    return text


def wait_for(check: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@task()
def record_run(n: int, path: str) -> int:
    """A probe task: appends its number and the worker's pid to ``path`` (one line per run)."""
    time.sleep(0.15)
    with open(path, "a", encoding="utf-8") as handle:  # O_APPEND: whole lines, any process
        handle.write(f"{n} {os.getpid()}\n")
    return n
