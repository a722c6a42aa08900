from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from netral.core.checkpoints import checkpoint_all


class Command(BaseCommand):
    help = "Sign a checkpoint of every audit chain that moved since its last one (the hourly task)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Signed {checkpoint_all()} checkpoints.")
