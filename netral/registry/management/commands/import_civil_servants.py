from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from tqdm import tqdm

from netral.core import audit
from netral.registry.importing import ImportFileError, import_civil_servants, write_report


class Command(BaseCommand):
    help = (
        "Import civil servants from a CSV or XLSX file (upsert by NIP). Columns: nip, name, "
        "employment_type, unit_code, and optionally position, is_head_of_unit, is_active, "
        "birth_date, sex. Invalid rows are reported with row, column and reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--report", type=Path, help="Write the row-by-row report to this CSV file."
        )
        parser.add_argument("--language", default="id", choices=["id", "en"])
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--no-first-load",
            action="store_true",
            help=(
                "On PostgreSQL, a large file into an empty registry is loaded in one locked "
                "transaction with the indexes built afterwards; this option keeps the ordinary, "
                "batch-by-batch path (slower, never locks the table)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        language = options["language"]
        bar = tqdm(
            total=0,
            unit="rows",
            disable=options["no_progress"],
            file=sys.stderr,
            dynamic_ncols=True,
        )

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            result = import_civil_servants(
                path, progress=progress, first_load=False if options["no_first_load"] else None
            )
        except ImportFileError as exc:
            with translation.override(language):
                raise CommandError(str(exc.message)) from exc
        finally:
            bar.close()
        audit.record(
            action="registry.import.command",
            object_type="file",
            object_id=path.name[:64],
            after={
                "rows": result.total_rows,
                "imported": result.imported,
                "created": result.created,
                "flagged": result.flagged,
                "rejected": result.rejected,
            },
            stream="registry",
        )
        with translation.override(language):
            if options["report"]:
                with options["report"].open("w", encoding="utf-8", newline="") as out:
                    write_report(result.issues, out, language)
            elif result.issues:
                write_report(result.issues, self.stdout, language)  # type: ignore[arg-type]
        self.stdout.write(
            f"{result.total_rows} rows: {result.imported} imported "
            f"({result.created} new), {result.flagged} flagged, {result.rejected} rejected"
        )
        if result.rejected:
            self.stderr.write(f"{result.rejected} rows were not imported; see the report.")
