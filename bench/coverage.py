"""Benchmark: commitment coverage of one province and of the whole country.

    python bench/coverage.py [--servants N] [--pacts P] [--pledges Q]
        [--database sqlite|postgresql|both] [--postgres-url URL] [--repeat R]

For each database, in a subprocess of its own (Django reads its settings once per process):
migrates a fresh database, loads the regions and the rules, creates one agency per province and
per regency/city (552) with a unit each, then bulk-loads N civil servants spread over them (one
in ten a head of unit), P integrity pacts (heads first) and Q pledge attendances through raw
``executemany`` (SQLite) or ``COPY`` (PostgreSQL); loading is not timed in the results. As an
import's end and the nightly task do, it then refreshes the per-agency headcounts and coverage
tallies (timed and printed: the write-side cost, including the recount after one ceremony). It
times ``netral.commitments.queries.coverage`` R times for the province 64 and for the whole
country and prints p50 and p95 against the targets of the issue: under 50 ms for a province and
under 200 ms for the country, on both databases.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
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
    percentile,
    report,
    run_child,
)

TARGETS = {"province": 50.0, "country": 200.0}


def _seed(vendor: str, servants: int, pacts: int, pledges: int, seed: int) -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from netral.commitments.services import pact_text, pledge_text
    from netral.insights.seeding import insert
    from netral.regions.models import Region
    from netral.registry.models import Agency, Unit
    from netral.rules.models import Election

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    call_command("load_rules", verbosity=0)
    timings["setup"] = time.perf_counter() - start
    start = time.perf_counter()
    regions = list(Region.objects.filter(level__lte=2).order_by("code"))
    agencies = Agency.objects.bulk_create(
        [
            Agency(
                code=f"AG-{r.code}",
                name=f"Pemerintah {r.name}",
                kind="regency" if "." in r.code else "provincial",
                region=r,
            )
            for r in regions
        ]
    )
    units = Unit.objects.bulk_create(
        [Unit(agency=a, code=f"U-{a.code}", name="Sekretariat") for a in agencies]
    )
    election = Election.objects.get(slug="pilkada-2024")
    text = pact_text(election, None)
    pledge = pledge_text()
    now = timezone.now()
    weights = [1 if "." in str(a.region_id) else 8 for a in agencies]
    owner = rng.choices(range(len(agencies)), weights=weights, k=servants)
    with transaction.atomic():
        insert(
            "registry_civilservant",
            [
                "nip",
                "name",
                "name_key",
                "employment_type",
                "nip_conforms",
                "birth_date",
                "sex",
                "agency_id",
                "unit_id",
                "position_id",
                "is_head_of_unit",
                "is_active",
                "created_at",
                "updated_at",
            ],
            (
                (
                    f"{i:018d}",
                    f"ASN {i}",
                    f"asn {i}",
                    "PNS",
                    True,
                    None,
                    "",
                    agencies[owner[i]].pk,
                    units[owner[i]].pk,
                    None,
                    i % 10 == 0,
                    i % 50 != 0,
                    now,
                    now,
                )
                for i in range(servants)
            ),
        )
    timings["servants"] = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, agency_id, is_head_of_unit FROM registry_civilservant")
        people = cursor.fetchall()
    heads = [p for p in people if p[2]]
    others = [p for p in people if not p[2]]
    signers = (heads + others)[:pacts]
    start = time.perf_counter()
    with transaction.atomic():
        insert(
            "commitments_pact",
            [
                "code",
                "election_id",
                "agency_id",
                "civil_servant_id",
                "name",
                "nip",
                "position",
                "signed_on",
                "before_name",
                "before_title",
                "mode",
                "text_id",
                "document",
                "document_sha256",
                "scan",
                "scan_sha256",
                "revoked_reason",
                "created_at",
            ],
            (
                (
                    f"P{pid:09d}",
                    election.pk,
                    agency_id,
                    pid,
                    f"ASN {pid}",
                    f"{pid:018d}",
                    "",
                    "2024-09-30",
                    "",
                    "",
                    "ceremony",
                    text.pk,
                    "",
                    "",
                    "",
                    "",
                    "",
                    now,
                )
                for pid, agency_id, _head in signers
            ),
        )
    timings["pacts"] = time.perf_counter() - start
    start = time.perf_counter()
    from netral.commitments.models import PledgeCeremony

    ceremonies = PledgeCeremony.objects.bulk_create(
        [
            PledgeCeremony(
                election=election,
                agency=a,
                text=pledge,
                held_on="2024-10-01",
                place="Aula",
                led_by="Sekda",
            )
            for a in agencies
        ]
    )
    ceremony_of = {c.agency_id: c.pk for c in ceremonies}
    attendees = rng.sample(people, min(pledges, len(people)))
    with transaction.atomic():
        insert(
            "commitments_pledgeattendance",
            [
                "ceremony_id",
                "election_id",
                "civil_servant_id",
                "agency_id",
                "method",
                "recorded_at",
            ],
            (
                (ceremony_of[agency_id], election.pk, pid, agency_id, "upload", now)
                for pid, agency_id, _head in attendees
            ),
        )
    timings["pledges"] = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The raw loads bypass the services: recount as an import's end and the nightly task do.
    from netral.commitments.tallies import refresh_tallies
    from netral.registry.headcount import refresh_headcounts

    start = time.perf_counter()
    with transaction.atomic():
        refresh_headcounts()
    timings["refresh_headcounts"] = time.perf_counter() - start
    start = time.perf_counter()
    refresh_tallies(election.pk)
    timings["refresh_tallies"] = time.perf_counter() - start
    start = time.perf_counter()
    refresh_tallies(election.pk, {agencies[0].pk})
    timings["refresh_one_agency"] = time.perf_counter() - start
    return timings


def _measure(vendor: str, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from netral.commitments.queries import coverage
    from netral.rules.models import Election

    log(f"{vendor}: seeding {args.servants:,} servants, {args.pacts:,} pacts")
    timings = _seed(vendor, args.servants, args.pacts, args.pledges, args.seed)
    log(f"{vendor}: seeded in {sum(timings.values()):.1f} s {timings}")
    election = Election.objects.get(slug="pilkada-2024")
    result: dict[str, Any] = {"database": vendor, "seed_seconds": timings}
    for label, region in (("province", "64"), ("country", "")):
        coverage(election, region)  # warm-up
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            outcome = coverage(election, region)
            samples.append((time.perf_counter() - start) * 1000)
        totals = outcome.as_dict()
        result[label] = {
            "p50": statistics.median(samples),
            "p95": percentile(samples, 0.95),
            "agencies": totals["agencies"],
            "servants": totals["civil_servants"],
            "pacts": totals["heads_with_pact"],
            "pledged": totals["pledged"],
        }
    return result


def print_table(results: list[dict[str, Any]]) -> bool:
    ok = True
    header = (
        f"{'database':<11} {'scope':<9} {'agencies':>8} {'servants':>10} {'pacts':>8} "
        f"{'pledged':>8} {'p50 ms':>8} {'p95 ms':>8}  target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if "error" in r:
            print(f"{r['database']:<11} {r['error']}")
            ok = False
            continue
        for scope in ("province", "country"):
            row = r[scope]
            target = TARGETS[scope]
            met = "met" if row["p95"] < target else "MISSED"
            print(
                f"{r['database']:<11} {scope:<9} {row['agencies']:>8,} {row['servants']:>10,} "
                f"{row['pacts']:>8,} {row['pledged']:>8,} {row['p50']:>8.1f} {row['p95']:>8.1f}  "
                f"< {target:.0f} ms {met}"
            )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = harness.parser(__doc__, repeat=30)
    parser.add_argument("--servants", type=int, default=1_000_000)
    parser.add_argument("--pacts", type=int, default=100_000)
    parser.add_argument("--pledges", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    if args._child:
        with database(args._child, args.postgres_url):
            report(_measure(args._child, args))
        return 0
    load_before = machine_load()
    arguments = harness.child_arguments(args, "servants", "pacts", "pledges", "repeat", "seed")
    results = [run_child(__file__, vendor, arguments) for vendor in harness.databases(args)]
    print()
    print(
        f"Commitment coverage benchmark: {args.servants:,} civil servants, {args.pacts:,} pacts, "
        f"{args.pledges:,} pledge attendances; {args.repeat} runs each"
    )
    print(f"machine: {os.cpu_count()} CPUs; {load_before} before, {machine_load()} after")
    print()
    ok = print_table(results)
    print()
    for r in results:
        if "seed_seconds" in r:
            refresh = {k: f"{v:.2f} s" for k, v in r["seed_seconds"].items()}
            print(f"{r['database']}: load and refresh times {refresh}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
