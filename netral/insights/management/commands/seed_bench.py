from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from netral.insights.seeding import seed_cases, seed_civil_servants


class Command(BaseCommand):
    help = (
        "Fill the database quickly through the bulk paths for benchmarks: civil servants over "
        "one government per province and regency/city, and cases in every state over all "
        "regencies and cities. Loads regions and rules first when missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=0)
        parser.add_argument("--civil-servants", type=int, default=0)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args: Any, **options: Any) -> None:
        from netral.regions.models import Region
        from netral.rules.models import ViolationType

        if not Region.objects.exists():
            call_command("load_regions", verbosity=0)
        if not ViolationType.objects.exists():
            call_command("load_rules", verbosity=0)
        if options["civil_servants"]:
            start = time.perf_counter()
            seed_civil_servants(options["civil_servants"], options["seed"])
            seconds = time.perf_counter() - start
            self.stdout.write(f"{options['civil_servants']:,} civil servants in {seconds:.1f} s")
        if options["cases"]:
            start = time.perf_counter()
            seed_cases(options["cases"], options["seed"])
            self.stdout.write(f"{options['cases']:,} cases in {time.perf_counter() - start:.1f} s")
