from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from netral.rules.loader import load_holidays, load_rules


class Command(BaseCommand):
    help = (
        "Seed the law as data (violation catalogue, sanctions, elections, deadlines, reviewing "
        "agencies) and national days off. Existing rows are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--first-year", type=int, default=2019)
        parser.add_argument(
            "--last-year",
            type=int,
            default=date.today().year + 5,
            help="Last year of national days off to load (default: five years ahead).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rules = load_rules()
        days = load_holidays(options["first_year"], options["last_year"])
        self.stdout.write(
            f"rules: {rules.created} created, {rules.existing} already present; "
            f"days off: {days.created} created, {days.existing} already present"
        )
