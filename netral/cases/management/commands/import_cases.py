from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from netral.cases.history import COLUMNS, import_history
from netral.core.tabular import ImportFileError, write_report


class Command(BaseCommand):
    help = (
        "Import past cases (a register kept elsewhere) from XLSX or CSV. Required columns: "
        "number, office, name, state, registered_on; optional: "
        + ", ".join(c for c in COLUMNS if c not in ("number", "office", "name", "state"))
        + ". Invalid rows are reported with row, column and reason; valid rows are imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="The username recorded as importer.")
        parser.add_argument("--report", type=Path, help="Write the row-by-row report here (CSV).")
        parser.add_argument("--dry-run", action="store_true", help="Check only; import nothing.")
        parser.add_argument("--language", default="id", choices=["id", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No such user: {options['user']}")
        try:
            result = import_history(path, actor=user, dry_run=options["dry_run"])
        except ImportFileError as exc:
            with translation.override(options["language"]):
                raise CommandError(str(exc.message)) from exc
        if options["report"]:
            with options["report"].open("w", encoding="utf-8", newline="") as out:
                write_report(result.issues, out, options["language"])
        verb = "checked" if options["dry_run"] else "imported"
        self.stdout.write(
            f"{result.total_rows} rows: {result.imported} {verb}, {result.rejected} refused"
        )
        with translation.override(options["language"]):
            for issue in result.issues[:50]:
                self.stdout.write(f"  row {issue.row} {issue.column}: {issue.reason}")
        if result.rejected:
            raise CommandError(f"{result.rejected} rows were refused; see the report.")
