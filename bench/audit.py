"""Benchmark: what signed checkpoints cost the audit trail, on writing and on verifying.

    python bench/audit.py [--entries N] [--streams S] [--database sqlite|postgresql|both]
        [--postgres-url URL]

For each database, in a subprocess of its own with a fresh database: appends N entries spread
over S streams through ``audit.record`` (one transaction each, as services do) twice, without
checkpoints (``NETRAL_AUDIT_CHECKPOINT_EVERY`` beyond N) and with one every 100 entries of a
stream (the default), in five interleaved rounds; then signs every moved stream at once (the
hourly task) and runs ``verify_all`` (every chain against its hashes and its signed
checkpoints). Prints entries per second of each and the overhead of signing; target: under
10 % on appending.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import (  # noqa: E402
    database,
    log,
    machine_load,
    report,
    run_child,
)

TARGET_OVERHEAD = 0.10


def _append(count: int, streams: int, prefix: str) -> float:
    from django.db import transaction

    from netral.core import audit

    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic():
            audit.record(
                action="bench.step",
                object_type="cases.case",
                object_id=str(n),
                after={"state": "under_study", "n": n},
                reason="benchmark",
                stream=f"{prefix}:{n % streams}",
            )
    return time.perf_counter() - started


def _measure(vendor: str, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from netral.core.audit import verify_all
    from netral.core.checkpoints import checkpoint_all
    from netral.core.models import AuditCheckpoint

    call_command("migrate", verbosity=0)
    # Interleaved rounds, so that a change in the machine's load hits both ways alike.
    plain = signed = 0.0
    rounds = 5
    for number in range(rounds):
        log(f"{vendor}: round {number + 1} of {rounds}")
        settings.NETRAL_AUDIT_CHECKPOINT_EVERY = 10**12
        plain += _append(args.entries // rounds, args.streams, f"plain{number}")
        settings.NETRAL_AUDIT_CHECKPOINT_EVERY = 100
        signed += _append(args.entries // rounds, args.streams, f"signed{number}")
    started = time.perf_counter()
    hourly = checkpoint_all()
    hourly_seconds = time.perf_counter() - started
    started = time.perf_counter()
    chains, breaks = verify_all()
    verify_seconds = time.perf_counter() - started
    return {
        "database": vendor,
        "plain_per_s": args.entries / plain,
        "signed_per_s": args.entries / signed,
        "checkpoints": AuditCheckpoint.objects.count(),
        "hourly": hourly,
        "hourly_s": hourly_seconds,
        "verified_per_s": 2 * args.entries / verify_seconds,
        "chains": chains,
        "breaks": len(breaks),
    }


def main(argv: list[str] | None = None) -> int:
    parser = harness.parser(__doc__)
    parser.add_argument("--entries", type=int, default=20000)
    parser.add_argument("--streams", type=int, default=10)
    args = parser.parse_args(argv)
    if args._child:
        with database(args._child, args.postgres_url):
            report(_measure(args._child, args))
        return 0
    load_before = machine_load()
    arguments = harness.child_arguments(args, "entries", "streams")
    results = [run_child(__file__, vendor, arguments) for vendor in harness.databases(args)]
    harness.heading(
        f"Audit trail benchmark: {args.entries:,} entries x 2 over {args.streams} streams",
        load_before,
    )
    header = (
        f"{'database':<11}{'plain/s':>10}{'signed/s':>10}{'overhead':>10}"
        f"{'checkpoints':>13}{'hourly s':>10}{'verify/s':>10}{'breaks':>8}"
    )
    print(header)
    ok = True
    for r in results:
        if "error" in r:
            print(f"{r['database']:<11}{r['error']}")
            ok = False
            continue
        overhead = r["plain_per_s"] / r["signed_per_s"] - 1
        ok = ok and overhead <= TARGET_OVERHEAD and r["breaks"] == 0
        print(
            f"{r['database']:<11}{r['plain_per_s']:>10.0f}{r['signed_per_s']:>10.0f}"
            f"{overhead:>9.1%}{r['checkpoints']:>13}{r['hourly_s']:>10.2f}"
            f"{r['verified_per_s']:>10.0f}{r['breaks']:>8}"
        )
    print()
    print(f"target: signing adds at most {TARGET_OVERHEAD:.0%} to appending; no chain broken")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
