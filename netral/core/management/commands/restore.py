from __future__ import annotations

from pathlib import Path
from subprocess import CalledProcessError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from netral.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: everything is checked first (hashes, "
        "database kind, the keys it needs), then the database and the files are loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace a database that is not empty (its tables are dropped first).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["directory"])
        try:
            outcome = restore(source, replace=options["replace"])
        except (BackupError, CalledProcessError, OSError) as exc:
            raise CommandError(f"Nothing was restored: {exc}") from exc
        for problem in outcome.problems:
            self.stderr.write(f"PROBLEM: {problem}")
        if outcome.problems:
            raise CommandError(f"Restored, but {len(outcome.problems)} differences remain.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {outcome.rows} rows and {outcome.files} files from {source}. "
                "Now run `manage.py verify_audit --checkpoints <your outside copy>`."
            )
        )
