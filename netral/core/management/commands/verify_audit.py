from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from netral.core.audit import verify_all


class Command(BaseCommand):
    help = "Verify every hash chain of the audit trail and name the first broken entry of each."

    def handle(self, *args: Any, **options: Any) -> None:
        count, breaks = verify_all()
        for item in breaks:
            self.stderr.write(f"BROKEN: {item}")
        if breaks:
            raise CommandError(f"{len(breaks)} of {count} audit chains are broken.")
        self.stdout.write(self.style.SUCCESS(f"All {count} audit chains are intact."))
