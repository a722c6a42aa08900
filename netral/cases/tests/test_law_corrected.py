"""The corrected law in the case workflow: races, appeal routes, and the office's own day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from netral.cases.models import Case, Reminder, State
from netral.cases.queries import follow_up, local_days, overdue, zones_agree
from netral.cases.services import InvalidInputs
from netral.cases.tasks import watch
from netral.cases.tests.test_workflow import PDF, step, walk_to
from netral.core.models import Notification
from netral.regions.models import Region
from netral.registry.models import Office
from netral.rules.models import ElectionRace

pytestmark = pytest.mark.django_db


# --- Races --------------------------------------------------------------------------------------


def _pemilu_case(case_factory, act_date):
    return case_factory(election="pemilu-2024", act_date=act_date, registered_on=date(2023, 11, 20))


def test_forwarding_asks_for_the_race_when_the_act_lies_between_two_determinations(
    case_factory, scopes
):
    case = _pemilu_case(case_factory, date(2023, 11, 8))
    step(case, "start_study", "bawaslu.kukar", scopes, date(2023, 11, 21))
    inputs = {"violation_types": ["online-campaign"], "summary": "Unggahan."}
    with pytest.raises(InvalidInputs) as refused:
        step(case, "forward", "bawaslu.kukar", scopes, date(2023, 11, 22), inputs)
    assert "race" in refused.value.errors
    case = step(
        case, "forward", "bawaslu.kukar", scopes, date(2023, 11, 22), {**inputs, "race": "dpr"}
    )
    assert case.race.code == "dpr"
    race = ElectionRace.objects.get(election__slug="pemilu-2024", code="dpr")
    assert case.rule_versions[f"rules.electionrace:{race.pk}"] == race.version
    assert case.events.get(transition="forward").inputs["race"] == "dpr"


def test_the_race_is_not_asked_when_it_changes_nothing(case_factory, scopes):
    case = _pemilu_case(case_factory, date(2023, 11, 20))
    step(case, "start_study", "bawaslu.kukar", scopes, date(2023, 11, 21))
    case = step(
        case,
        "forward",
        "bawaslu.kukar",
        scopes,
        date(2023, 11, 22),
        {"violation_types": ["online-campaign"], "summary": "Unggahan."},
    )
    assert case.state == State.FORWARDED
    assert case.race is None


def test_the_forwarding_form_shows_the_race_only_where_races_differ(
    case_factory, as_user, personas
):
    pemilu = _pemilu_case(case_factory, date(2023, 11, 8))
    Case.objects.filter(pk=pemilu.pk).update(state=State.UNDER_STUDY)
    pilkada = case_factory()
    Case.objects.filter(pk=pilkada.pk).update(state=State.UNDER_STUDY)
    client = as_user("bawaslu.kukar")
    html = client.get(f"/perkara/{pemilu.pk}/").content.decode()
    assert 'name="forward-race"' in html
    assert "Presiden" in html
    assert 'name="forward-race"' not in client.get(f"/perkara/{pilkada.pk}/").content.decode()


# --- Appeal routes ------------------------------------------------------------------------------


def _decided(case_factory, scopes, sanction):
    case = walk_to(case_factory(), scopes, State.EXAMINATION)
    from netral.cases.services import Upload

    return step(
        case,
        "decide",
        "ppk.kukar",
        scopes,
        date(2024, 11, 5),
        {
            "hearing_on": "2024-11-01",
            "decision_number": "SK-1",
            "decision_date": "2024-11-05",
            "sanction": sanction,
        },
        [Upload("examination_report", "bap.pdf", PDF), Upload("decision", "sk.pdf", PDF)],
    )


def test_an_administrative_appeal_against_dismissal_starts_the_ppk_answer_deadline(
    case_factory, scopes
):
    case = _decided(case_factory, scopes, "heavy-dismissal")
    with pytest.raises(InvalidInputs) as refused:
        step(
            case,
            "file_appeal",
            "bkpsdm.kukar",
            scopes,
            date(2024, 11, 12),
            {"route": "objection", "filed_on": "2024-11-12"},
        )
    assert "route" in refused.value.errors
    case = step(
        case,
        "file_appeal",
        "bkpsdm.kukar",
        scopes,
        date(2024, 11, 12),
        {"route": "administrative", "filed_on": "2024-11-12"},
    )
    assert case.state == State.APPEALED
    # PP 79/2021 Pasal 13(2): the PPK answers within 21 days of the filing.
    assert case.due_date == date(2024, 12, 3)
    assert case.deadline_rule.step == "appeal_administrative_answer"
    event = case.events.get(transition="file_appeal")
    # Pasal 11(3): 14 working days from Tue 5 Nov 2024: 6-8 (3), 11-15 (8), 18-22 (13), 25.
    assert event.inputs["appeal_due"] == "2024-11-25"
    assert event.inputs["late"] is False
    assert event.inputs["route"] == "administrative"


def test_an_administrative_appeal_is_refused_for_a_lighter_sanction(case_factory, scopes):
    case = _decided(case_factory, scopes, "medium-tpp-6")
    with pytest.raises(InvalidInputs) as refused:
        step(
            case,
            "file_appeal",
            "bkpsdm.kukar",
            scopes,
            date(2024, 11, 12),
            {"route": "administrative", "filed_on": "2024-11-12"},
        )
    assert "route" in refused.value.errors


# --- The office's own day -----------------------------------------------------------------------

# 15:30 UTC on 10 Oct 2024: 22:30 WIB and 23:30 WITA on the 10th, 00:30 WIT on the 11th.
MIXED = datetime(2024, 10, 10, 15, 30, tzinfo=UTC)
# 16:30 UTC: 23:30 WIB on the 10th; already the 11th in WITA (00:30) and WIT (01:30).
LATER = datetime(2024, 10, 10, 16, 30, tzinfo=UTC)


def _papua_office() -> Office:
    region = Region.objects.filter(timezone=Region.TimeZone.WIT, level=2).order_by("code").first()
    assert region is not None
    return Office.objects.create(
        code=f"BAWASLU-{region.code}",
        name=f"Bawaslu {region.name}",
        kind=Office.Kind.BAWASLU,
        level=Office.Level.REGENCY_CITY,
        region=region,
    )


def _due_on_the_10th(case_factory, office_code: str, region: str) -> Case:
    case = case_factory(office=office_code, region=region)
    Case.objects.filter(pk=case.pk).update(due_date=date(2024, 10, 10))
    case.refresh_from_db()
    return case


def test_zones_disagree_for_two_hours_around_midnight():
    assert local_days(MIXED) == {
        "Asia/Jakarta": date(2024, 10, 10),
        "Asia/Makassar": date(2024, 10, 10),
        "Asia/Jayapura": date(2024, 10, 11),
    }
    assert not zones_agree(MIXED)
    assert zones_agree(datetime(2024, 10, 10, 12, tzinfo=UTC))


def test_a_case_is_overdue_at_its_own_offices_midnight(case_factory):
    papua = _papua_office()
    kaltim = _due_on_the_10th(case_factory, "BAWASLU-64.02", "64.02")  # WITA
    assert kaltim.zone == "Asia/Makassar"
    east = _due_on_the_10th(case_factory, papua.code, papua.region_id)  # WIT
    assert east.zone == "Asia/Jayapura"
    # A case taken by the national office: its zone is the office's (WIB), not the place's.
    java = _due_on_the_10th(case_factory, "BAWASLU-RI", "64.02")
    assert java.zone == "Asia/Jakarta"
    open_ = Case.objects.filter(pk__in=[kaltim.pk, east.pk, java.pk])
    # 00:30 WIT: only the Papua office's day has ended.
    assert set(overdue(open_, now=MIXED).values_list("pk", flat=True)) == {east.pk}
    assert east.is_overdue(MIXED)
    assert not kaltim.is_overdue(MIXED)
    # 00:30 WITA: Kalimantan Timur too, not yet Jakarta (23:30 WIB).
    assert set(overdue(open_, now=LATER).values_list("pk", flat=True)) == {east.pk, kaltim.pk}
    after = datetime(2024, 10, 10, 17, 1, tzinfo=UTC)
    assert overdue(open_, now=after).count() == 3


def test_the_ppk_follow_up_counts_overdue_in_the_offices_zone(case_factory, scopes):
    case = walk_to(case_factory(), scopes, State.RECEIVED_BY_PPK)  # Kukar: WITA
    Case.objects.filter(pk=case.pk).update(ppk_due_date=date(2024, 10, 10))
    _user, scope = scopes("analis.bkn")
    before_midnight = datetime(2024, 10, 10, 15, 30, tzinfo=UTC)  # 23:30 WITA
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=before_midnight):
        assert sum(r.open_overdue for r in follow_up(scope)) == 0
    with mock.patch("django.utils.timezone.now", return_value=LATER):  # 00:30 WITA
        assert sum(r.open_overdue for r in follow_up(scope)) == 1


def test_the_watch_marks_at_the_offices_midnight_and_reminds_from_eight(case_factory, personas):
    case = _due_on_the_10th(case_factory, "BAWASLU-64.02", "64.02")  # WITA
    # 07:00 WITA on the 10th (still 06:00 in Jakarta): due today, but reminders wait for 08:00.
    assert watch(now=datetime(2024, 10, 9, 23, 0, tzinfo=UTC))["due_today"] == 0
    assert watch(now=datetime(2024, 10, 10, 0, 0, tzinfo=UTC))["due_today"] == 1
    # 00:30 WITA on the 11th (23:30 in Jakarta): marked overdue at once, escalated from 08:00.
    watch(now=LATER)
    case.refresh_from_db()
    assert case.overdue_since == date(2024, 10, 11)
    assert not Reminder.objects.filter(case=case, kind="escalated").exists()
    seven = datetime(2024, 10, 10, 23, 0, tzinfo=UTC)  # 07:00 WITA on the 11th
    assert watch(now=seven)["escalated"] == 0
    eight = datetime(2024, 10, 11, 0, 0, tzinfo=UTC)  # 08:00 WITA (07:00 WIB)
    assert watch(now=eight)["escalated"] == 1
    note = Notification.objects.filter(key__endswith=":escalated").first()
    assert "WITA" in note.subject
    assert watch(now=eight + timedelta(hours=1))["escalated"] == 0


def test_registration_and_steps_are_dated_in_the_offices_day(case_factory, scopes):
    case = case_factory(office="BAWASLU-64.02", region="64.02")
    # 16:30 UTC: 00:30 WITA on the 15th for the Kukar office (still the 14th in Jakarta).
    from unittest import mock

    moment = datetime(2024, 10, 14, 16, 30, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        assert case.local_today() == date(2024, 10, 15)
        user, scope = scopes("bawaslu.kukar")
        from netral.cases.services import perform

        case = perform(
            case_id=case.pk, name="start_study", actor=user, scope=scope, version=case.version
        )
    assert case.events.get(transition="start_study").effective_on == date(2024, 10, 15)


def test_the_case_page_shows_the_deadline_in_the_offices_zone(case_factory, as_user):
    case = _due_on_the_10th(case_factory, "BAWASLU-64.02", "64.02")
    html = as_user("bawaslu.kukar").get(f"/perkara/{case.pk}/").content.decode()
    assert "2024-10-10 23:59 WITA" in html


def test_a_transferred_case_takes_its_new_offices_zone(case_factory):
    from netral.cases.effects import transfer

    case = case_factory(office="BAWASLU-64.02", region="64.02")
    assert case.zone == "Asia/Makassar"
    transfer(case, _papua_office())
    case.save()
    case.refresh_from_db()
    assert case.zone == "Asia/Jayapura"
    assert case.zone_label == "WIT"
