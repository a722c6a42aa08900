from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from netral.core.scheduler import enqueue_due


class Command(BaseCommand):
    help = "Enqueue periodic tasks once per period (run beside the worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between checks.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for path in enqueue_due():
                self.stdout.write(f"enqueued {path}")
            if options["once"]:
                return
            time.sleep(options["interval"])
