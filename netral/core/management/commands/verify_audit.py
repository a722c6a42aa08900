from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from netral.core.audit import verify_all


class Command(BaseCommand):
    help = (
        "Verify every hash chain of the audit trail against its hashes, the signed checkpoints in "
        "the database and any checkpoint file given, and name the first broken entry of each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            metavar="FILE",
            help=(
                "A checkpoint file kept outside the database: the public file of "
                "/transparansi/audit/checkpoints.json or an export_audit_checkpoints file "
                "(repeatable)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count, breaks = verify_all(options["checkpoints"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the checkpoint file: {exc}") from exc
        for item in breaks:
            self.stderr.write(f"BROKEN: {item}")
        if breaks:
            raise CommandError(f"{len(breaks)} of {count} audit chains are broken.")
        self.stdout.write(self.style.SUCCESS(f"All {count} audit chains are intact."))
