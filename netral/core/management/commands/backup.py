from __future__ import annotations

from pathlib import Path
from subprocess import CalledProcessError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from netral.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database and every stored file (each checked against the SHA-256 its rows "
        "record) into a new directory, with a manifest; keys are named, never written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="A new or empty directory.")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["directory"])
        try:
            outcome = backup(target)
        except (BackupError, CalledProcessError, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        for problem in outcome.problems:
            self.stderr.write(f"PROBLEM: {problem}")
        if outcome.problems:
            raise CommandError(
                f"Backup written to {target}, but {len(outcome.problems)} files are missing or "
                "do not match their rows (listed above and in the manifest)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {outcome.rows} rows and {outcome.files} files to {target}."
            )
        )
