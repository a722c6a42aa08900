from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from netral.demo.seed import USERS, demo_totp_key


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_otp runs only with DEBUG on.")
        if options["username"] not in {u.username for u in USERS}:
            raise CommandError("Not a demo user.")
        code = totp(demo_totp_key(options["username"]), t0=0, step=30, digits=6)
        self.stdout.write(f"{code:06d}  (valid for {30 - int(time.time()) % 30} s)")
