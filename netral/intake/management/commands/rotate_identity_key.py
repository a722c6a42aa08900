from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from netral.core import audit
from netral.intake import crypto
from netral.intake.models import IdempotentSubmission, Report


class Command(BaseCommand):
    help = (
        "Re-encrypt every reporter identity (and pending receipts) with the first key of "
        "NETRAL_IDENTITY_KEYS. Put the new key first, keep the old ones after it, run this, "
        "then remove the old keys."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ring = crypto.keyring()
        changed = 0
        queryset = Report.objects.exclude(reporter_identity=None).only(
            "pk", "receipt_code", "reporter_identity"
        )
        for report in queryset.iterator(chunk_size=500):
            blob = bytes(report.reporter_identity or b"")
            if crypto.key_id_of(blob) == ring.current:
                continue
            identity = crypto.decrypt(blob, bound_to=report.receipt_code, ring=ring)
            with transaction.atomic():
                Report.objects.filter(pk=report.pk).update(
                    reporter_identity=crypto.encrypt(
                        identity, bound_to=report.receipt_code, ring=ring
                    )
                )
            changed += 1
        for pending in IdempotentSubmission.objects.iterator(chunk_size=500):
            blob = bytes(pending.response)
            if crypto.key_id_of(blob) != ring.current:
                answer = crypto.decrypt(blob, bound_to=pending.key, ring=ring)
                IdempotentSubmission.objects.filter(pk=pending.pk).update(
                    response=crypto.encrypt(answer, bound_to=pending.key, ring=ring)
                )
        audit.record(
            action="intake.identity_key.rotate",
            object_type="crypto.keyring",
            object_id=ring.current,
            after={"re_encrypted": changed},
            stream="intake",
        )
        self.stdout.write(f"{changed} identities re-encrypted with key {ring.current!r}.")
