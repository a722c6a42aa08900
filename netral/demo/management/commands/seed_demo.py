from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from netral.demo.seed import DEMO_PASSWORD, demo_backup_codes, seed, totp_secret_b32


class Command(BaseCommand):
    help = "Create demo agencies, OPDs, PPKs, ~2,000 civil servants and one user per role."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run when DEBUG is off (NETRAL_DEBUG=1).")
        users = seed()
        from netral.demo.cases import seed_cases

        seed_cases()
        from netral.demo.commitments import seed_commitments

        seed_commitments()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo logins (password for all: {DEMO_PASSWORD}):")
        )
        self.stdout.write(
            f"{'username':<18} {'role':<18} {'TOTP secret (base32)':<34} backup codes"
        )
        for spec in users:
            codes = " ".join(demo_backup_codes(spec.username)[:3])
            self.stdout.write(
                f"{spec.username:<18} {spec.role:<18} {totp_secret_b32(spec.username):<34} {codes}"
            )
        self.stdout.write(
            "Add a secret to an authenticator app, use a backup code once, or print the current "
            "code with: manage.py demo_otp USERNAME"
        )
