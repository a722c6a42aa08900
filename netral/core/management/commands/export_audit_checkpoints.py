from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from netral.core.checkpoints import as_dict
from netral.core.models import AuditCheckpoint


class Command(BaseCommand):
    help = (
        "Write the signed audit checkpoints as JSON lines (to FILE, or standard output) for "
        "write-once storage; --since limits them to those signed at or after a time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="Output file ('-': stdout).")
        parser.add_argument("--since", default="", help="ISO time, e.g. 2026-12-05T00:00+00:00")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = AuditCheckpoint.objects.order_by("signed_at", "stream", "seq")
        if options["since"]:
            try:
                since = datetime.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError(f"--since is not an ISO time: {options['since']!r}") from exc
            if since.tzinfo is None:
                raise CommandError("--since needs a time zone, e.g. +00:00")
            rows = rows.filter(signed_at__gte=since)
        if options["file"] == "-":
            count = self._write(rows, sys.stdout)
        else:
            with open(options["file"], "x", encoding="utf-8") as out:  # never overwrite a copy
                count = self._write(rows, out)
            self.stdout.write(f"Wrote {count} checkpoints to {options['file']}.")

    @staticmethod
    def _write(rows: QuerySet[AuditCheckpoint], out: TextIO) -> int:
        count = 0
        for checkpoint in rows.iterator(2000):
            out.write(json.dumps(as_dict(checkpoint), sort_keys=True) + "\n")
            count += 1
        return count
