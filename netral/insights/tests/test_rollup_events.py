"""The rollup follows cases through explicit events: a step announces ``CaseChanged`` on
commit, insights enqueues a recount of the partitions it touched, and a recount counts and
replaces its partition under the partition's lock, so two writers end with the true figures."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from netral.accounts.queries import scope_for
from netral.cases.events import CaseChanged
from netral.cases.models import Case
from netral.cases.services import perform
from netral.cases.tests.conftest import make_case
from netral.core import events
from netral.core.tests.processes import wait_for
from netral.insights import rollup
from netral.insights.models import CaseStat
from netral.insights.tasks import recount_partitions


def _states(election_id: int, regency: str) -> Counter[str]:
    rows = CaseStat.objects.filter(election_id=election_id, regency_code=regency, dimension="state")
    return Counter(dict(rows.values_list("key", "n")))


def _raw_states(election_id: int, regency: str) -> Counter[str]:
    cases = Case.objects.filter(election_id=election_id, regency_code=regency)
    return Counter(cases.values_list("state", flat=True))


@pytest.mark.django_db
def test_a_save_alone_recounts_nothing_a_step_enqueues_its_partitions_recount(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()  # fixtures write rows directly: no event, no hidden signal
    assert not DBTaskResult.objects.exists()
    assert not CaseStat.objects.exists()

    user = personas["bawaslu.kukar"]
    with django_capture_on_commit_callbacks(execute=True):
        perform(
            case_id=case.pk, name="start_study", actor=user, scope=scope_for(user),
            version=case.version,
        )  # fmt: skip
        assert not DBTaskResult.objects.filter(task_path=recount_partitions.module_path).exists()
    queued = DBTaskResult.objects.get(task_path=recount_partitions.module_path)
    partitions = queued.args_kwargs["kwargs"]["partitions"]
    assert partitions == [[case.election_id, "64.02"]]
    assert not CaseStat.objects.exists()  # the worker recounts, not the request
    recount_partitions.call(partitions=partitions)
    assert _states(case.election_id, "64.02") == Counter({"under_study": 1})


@pytest.mark.django_db
def test_a_transfer_announces_the_regency_it_left_and_the_one_it_joins(
    personas, django_capture_on_commit_callbacks
):
    from netral.regions.models import Region
    from netral.registry.models import Office

    case = make_case()
    seen: list[CaseChanged] = []
    events.subscribe(CaseChanged, seen.append)
    region = Region.objects.filter(level=2, code__startswith="64.").exclude(code="64.02").first()
    assert region is not None
    other = Office.objects.create(
        code=f"BAWASLU-{region.code}",
        name=f"Bawaslu {region.name}",
        kind=Office.Kind.BAWASLU,
        level=Office.Level.REGENCY_CITY,
        region=region,
    )
    user = personas["bawaslu.kaltim"]
    with django_capture_on_commit_callbacks(execute=True):
        perform(
            case_id=case.pk, name="transfer", actor=user, scope=scope_for(user),
            version=case.version, inputs={"office": other.code, "reason": "Wilayah lain"},
        )  # fmt: skip
    assert seen[-1] == CaseChanged(
        case_id=case.pk, election_id=case.election_id, regency_codes=(other.region_id, "64.02")
    )
    # Both partitions were recounted (the immediate backend of the tests ran the task).
    assert _states(case.election_id, "64.02") == Counter()
    assert _states(case.election_id, other.region_id) == Counter({"registered": 1})


def test_two_writers_recounting_one_partition_leave_the_last_change_counted(
    process_db, monkeypatch
):
    """The first recount has counted when a second writer commits a change and recounts; the
    second waits for the first to replace the partition, then counts the change: the snapshot
    left is the true one, not the first recount's older figures."""
    case = make_case()
    partition = (case.election_id, "64.02")
    rollup.refresh([partition])
    assert _states(*partition) == Counter({"registered": 1})

    counted, release = threading.Event(), threading.Event()
    count = rollup._stat_rows

    def first_pauses_after_counting(*args, **kwargs):
        rows = count(*args, **kwargs)
        if threading.current_thread().name == "first":
            counted.set()
            release.wait(timeout=120)
        return rows

    monkeypatch.setattr(rollup, "_stat_rows", first_pauses_after_counting)
    failures: list[BaseException] = []

    def recount() -> None:
        try:
            rollup.refresh([partition])
        except BaseException as exc:  # pragma: no cover - reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=recount, name="first")
    first.start()
    assert counted.wait(timeout=120)
    # The second writer: its change commits (autocommit), then it recounts.
    Case.objects.filter(pk=case.pk).update(state=Case.State.UNDER_STUDY)
    second = threading.Thread(target=recount, name="second")
    second.start()

    def second_waits_or_ended() -> bool:
        if not second.is_alive():
            return True
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            return bool(cursor.fetchone()[0])

    wait_for(second_waits_or_ended, "the second recount to wait for the partition's lock")
    release.set()
    first.join(timeout=120)
    second.join(timeout=120)
    assert not failures, failures
    assert _states(*partition) == _raw_states(*partition) == Counter({"under_study": 1})
    # The whole-rollup recount agrees, and takes the same lock.
    rollup.refresh_all()
    assert _states(*partition) == Counter({"under_study": 1})
