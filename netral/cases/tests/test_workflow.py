"""The declared workflow: every step, its guards, its deadlines, its letters and its trail."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from django.test import TestCase

from netral.cases import workflow
from netral.cases.models import Case, CaseDocument, CaseEvent, State
from netral.cases.queries import follow_up
from netral.cases.services import Conflict, Forbidden, InvalidInputs, Upload, perform
from netral.core.audit import verify_all
from netral.core.models import AuditEntry
from netral.registry.queries import ppk_on
from netral.rules.models import Provision

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def step(case, name, who, scopes, day, inputs=None, uploads=None):
    """One step as a request makes it: committed, then its after-commit work (letters) done."""
    user, scope = scopes(who)
    case.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return perform(
            case_id=case.pk,
            name=name,
            actor=user,
            scope=scope,
            version=case.version,
            inputs=inputs or {},
            uploads=uploads,
            day=day,
        )


def citations(case):
    return [p.pk for p in Provision.objects.filter(violation_types__in=case.violation_types.all())]


def walk_to(case, scopes, target):
    """Take the case along the main road until ``target``."""
    case.refresh_from_db()
    road = [
        ("start_study", "bawaslu.kukar", date(2024, 10, 15), {}),
        (
            "forward",
            "bawaslu.kukar",
            date(2024, 10, 16),
            {"violation_types": ["online-campaign"], "summary": "Unggahan ajakan memilih."},
        ),
        ("start_verification", "analis.bkn", date(2024, 10, 17), {}),
        (
            "recommend",
            "analis.bkn",
            date(2024, 10, 21),
            {"track": "discipline", "sanction": "heavy-demotion", "citations": citations(case)},
        ),
        ("receive", "bkpsdm.kukar", date(2024, 10, 22), {"received_on": "2024-10-22"}),
        (
            "start_examination",
            "bkpsdm.kukar",
            date(2024, 10, 25),
            {"summons_dates": "2024-10-24\n2024-10-31"},
        ),
    ]
    for name, who, day, inputs in road:
        if case.state == target:
            return case
        if case.state not in workflow.TRANSITIONS[name].sources:
            continue
        case = step(case, name, who, scopes, day, inputs)
    return case


def test_a_case_walks_from_registration_to_closed_with_letters_and_trail(case_factory, scopes):
    case = case_factory()
    assert case.due_date == date(2024, 10, 17)  # Pilkada: 3 calendar days after registration
    case = walk_to(case, scopes, State.EXAMINATION)
    assert case.state == State.EXAMINATION
    assert case.reviewing_agency.code == "bkn"
    assert case.ppk == ppk_on(case.agency_id, date(2024, 10, 21))
    assert case.ppk.acting_kind == "Pjs"  # the regent was on campaign leave
    assert case.ppk_due_date == date(2024, 11, 11)  # 14 working days from 22 Oct 2024
    case = step(
        case,
        "decide",
        "ppk.kukar",
        scopes,
        date(2024, 11, 5),
        {
            "hearing_on": "2024-11-01",
            "decision_number": "800/123/BKPSDM/XI/2024",
            "decision_date": "2024-11-05",
            "sanction": "heavy-demotion",
        },
        [
            Upload("examination_report", "bap.pdf", PDF),
            Upload("decision", "sk.pdf", PDF + b" "),
        ],
    )
    case = step(
        case,
        "report_follow_up",
        "bkpsdm.kukar",
        scopes,
        date(2024, 11, 6),
        {"report_number": "800/130/BKPSDM", "report_date": "2024-11-06"},
    )
    case = step(case, "close", "analis.bkn", scopes, date(2024, 11, 7))
    assert case.state == State.CLOSED
    assert case.holder == "none"
    assert case.due_date is None
    assert case.imposed_sanction.code == "heavy-demotion"

    letters = {d.kind: d for d in case.documents.filter(generated=True)}
    forwarding = letters[CaseDocument.Kind.FORWARDING_LETTER]
    recommendation = letters[CaseDocument.Kind.RECOMMENDATION_LETTER]
    assert forwarding.number == "0001/PN/BAWASLU-64.02/X/2024"
    assert recommendation.number == "0001/REK/BKN/X/2024"
    for document in case.documents.all():
        content = document.file.open("rb").read()
        assert content.startswith(b"%PDF")
        import hashlib

        assert hashlib.sha256(content).hexdigest() == document.sha256
    assert case.documents.count() == 4

    transitions = list(case.events.order_by("seq").values_list("transition", flat=True))
    assert transitions == [
        "register",
        "start_study",
        "forward",
        "start_verification",
        "recommend",
        "receive",
        "start_examination",
        "decide",
        "report_follow_up",
        "close",
    ]
    entries = AuditEntry.objects.filter(object_id=str(case.pk), action__startswith="case.")
    # Nine steps, and each of the two letters' hashes recorded once it was rendered.
    assert entries.count() == 11
    rendered = entries.filter(action="case.letter_rendered")
    assert sorted(e.evidence[0]["sha256"] for e in rendered) == sorted(
        [forwarding.sha256, recommendation.sha256]
    )
    decide = entries.get(action="case.decide")
    assert {e["kind"] for e in decide.evidence} == {"examination_report", "decision"}
    assert verify_all()[1] == []
    row = follow_up(scopes("analis.bkn")[1], today=date(2024, 12, 1))[0]
    assert (row.received, row.in_time, row.late, row.open) == (1, 1, 0, 0)


def test_no_state_can_be_jumped(case_factory, scopes):
    """Every transition from a state not among its sources is refused, and nothing changes."""
    admin, scope = scopes("admin")
    case = case_factory()
    refused = 0
    for state in State.values:
        Case.objects.filter(pk=case.pk).update(state=state)
        for transition in workflow.TRANSITIONS.values():
            if state in transition.sources:
                continue
            case.refresh_from_db()
            with pytest.raises(Conflict):
                perform(
                    case_id=case.pk,
                    name=transition.name,
                    actor=admin,
                    scope=scope,
                    version=case.version,
                    inputs={},
                    day=date(2024, 10, 20),
                )
            refused += 1
    assert refused > 200
    assert CaseEvent.objects.filter(case=case).count() == 1
    assert case.version == 1


def test_terminal_states_allow_nothing_and_every_open_state_has_a_way_out():
    for state, info in workflow.STATES.items():
        exits = [t for t in workflow.transitions_from(state) if t.target is not None]
        assert bool(exits) != info.terminal, state


def test_each_party_moves_only_its_own_steps_and_only_in_its_jurisdiction(case_factory, scopes):
    case = case_factory()
    with pytest.raises(Forbidden):
        step(case, "start_study", "analis.bkn", scopes, date(2024, 10, 15))
    with pytest.raises(Forbidden):  # another regency's Bawaslu
        step(case, "start_study", "bawaslu.sukamara", scopes, date(2024, 10, 15))
    with pytest.raises(Forbidden):  # read-only
        step(case, "start_study", "auditor.kaltim", scopes, date(2024, 10, 15))
    step(case, "start_study", "bawaslu.kaltim", scopes, date(2024, 10, 15))  # the province's
    case = walk_to(case, scopes, State.RECOMMENDATION_ISSUED)
    with pytest.raises(Forbidden):  # another agency's personnel office
        step(
            case, "receive", "bkd.kaltim", scopes, date(2024, 10, 22), {"received_on": "2024-10-22"}
        )
    with pytest.raises(Forbidden):
        step(
            case,
            "receive",
            "bawaslu.kukar",
            scopes,
            date(2024, 10, 22),
            {"received_on": "2024-10-22"},
        )


def test_a_stale_version_is_refused_and_changes_nothing(case_factory, scopes):
    case = case_factory()
    user, scope = scopes("bawaslu.kukar")
    perform(case_id=case.pk, name="start_study", actor=user, scope=scope, version=1)
    with pytest.raises(Conflict, match="Muat ulang"):
        perform(
            case_id=case.pk,
            name="request_study_info",
            actor=user,
            scope=scope,
            version=1,
            inputs={"request": "Tangkapan layar"},
        )
    case.refresh_from_db()
    assert case.state == State.UNDER_STUDY
    assert case.version == 2


def test_missing_and_wrong_inputs_are_named_field_by_field(case_factory, scopes):
    case = walk_to(case_factory(), scopes, State.UNDER_STUDY)
    with pytest.raises(InvalidInputs) as missing:
        step(case, "forward", "bawaslu.kukar", scopes, date(2024, 10, 16), {})
    assert set(missing.value.errors) == {"violation_types", "summary"}
    with pytest.raises(InvalidInputs) as unknown:
        step(
            case,
            "forward",
            "bawaslu.kukar",
            scopes,
            date(2024, 10, 16),
            {"violation_types": ["no-such-act"], "summary": "x"},
        )
    assert "no-such-act" in unknown.value.errors["violation_types"]
    case = walk_to(case, scopes, State.RECOMMENDATION_ISSUED)
    with pytest.raises(InvalidInputs) as future:
        step(
            case,
            "receive",
            "bkpsdm.kukar",
            scopes,
            date(2024, 10, 22),
            {"received_on": "2024-10-30"},
        )
    assert "masa depan" in future.value.errors["received_on"]


def test_departing_from_the_classifier_needs_a_reason(case_factory, scopes):
    case = walk_to(case_factory(), scopes, State.UNDER_VERIFICATION)
    ethics = {"track": "ethics", "sanction": "moral-open", "citations": citations(case)}
    with pytest.raises(InvalidInputs) as refused:
        step(case, "recommend", "analis.bkn", scopes, date(2024, 10, 21), ethics)
    assert "override_reason" in refused.value.errors
    case = step(
        case,
        "recommend",
        "analis.bkn",
        scopes,
        date(2024, 10, 21),
        {**ethics, "override_reason": "Unggahan dibuat sebelum penetapan, diunggah ulang."},
    )
    event = case.events.get(transition="recommend")
    assert event.inputs["departs_from_suggestion"] is True
    assert event.reason.startswith("Unggahan")
    assert case.track == "ethics"


def test_dismissal_tells_the_reporter_the_public_reason(case_factory, scopes):
    case = walk_to(case_factory(), scopes, State.UNDER_STUDY)
    case = step(
        case,
        "dismiss",
        "bawaslu.kukar",
        scopes,
        date(2024, 10, 16),
        {"reason": "Yang bersangkutan bukan ASN."},
    )
    assert case.state == State.NOT_VIOLATION
    assert case.closed_on == date(2024, 10, 16)
    assert case.events.get(transition="dismiss").public_note == "Yang bersangkutan bukan ASN."


@pytest.mark.parametrize(
    ("forwarded", "agency"),
    [(date(2024, 9, 3), "kasn"), (date(2024, 9, 4), "bkn"), (date(2025, 1, 6), "bkn")],
)
def test_the_reviewing_agency_is_the_one_in_force_on_the_forwarding_date(
    case_factory, scopes, forwarded, agency
):
    case = case_factory(registered_on=forwarded - timedelta(days=2), act_date=forwarded)
    case = step(case, "start_study", "bawaslu.kukar", scopes, forwarded)
    case = step(
        case,
        "forward",
        "bawaslu.kukar",
        scopes,
        forwarded,
        {"violation_types": ["online-campaign"], "summary": "Kajian."},
    )
    assert case.reviewing_agency.code == agency
    letter = case.documents.get(kind=CaseDocument.Kind.FORWARDING_LETTER)
    assert letter.number.startswith("0001/PN/BAWASLU-64.02/")
    case = step(case, "start_verification", "analis.bkn", scopes, forwarded)
    case = step(
        case,
        "recommend",
        "analis.bkn",
        scopes,
        forwarded,
        {
            "track": "discipline",
            "sanction": "heavy-demotion",
            "citations": citations(case),
            "override_reason": "Diunggah ulang setelah penetapan calon.",
        },
    )
    recommendation = case.documents.get(kind=CaseDocument.Kind.RECOMMENDATION_LETTER)
    assert f"/{agency.upper()}/" in recommendation.number


def working_days_after(start: date, count: int) -> date:
    """An independent count over the `holidays` package, to check the engine against."""
    days_off = holidays.country_holidays(
        "ID", years=[start.year, start.year + 1], categories=("public", "government")
    )
    day, counted = start, 0
    while counted < count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in days_off:
            counted += 1
    return day


def test_review_deadline_skips_christmas_joint_leave_and_new_year(case_factory, scopes):
    case = case_factory(registered_on=date(2024, 12, 20), act_date=date(2024, 12, 18))
    case = step(case, "start_study", "bawaslu.kukar", scopes, date(2024, 12, 20))
    case = step(
        case,
        "forward",
        "bawaslu.kukar",
        scopes,
        date(2024, 12, 23),
        {"violation_types": ["online-campaign"], "summary": "Kajian."},
    )
    # 7 working days: 24, 27, 30, 31 Dec, 2, 3, 6 Jan (25-26 Dec and 1 Jan are days off).
    assert case.due_date == date(2025, 1, 6) == working_days_after(date(2024, 12, 23), 7)
    assert case.deadline_rule.step == "review"


def test_ppk_deadline_skips_lebaran_joint_leave(case_factory, scopes):
    case = case_factory(registered_on=date(2025, 3, 10), act_date=date(2025, 3, 7))
    days = iter([date(2025, 3, 11), date(2025, 3, 12), date(2025, 3, 13), date(2025, 3, 14)])
    case = step(case, "start_study", "bawaslu.kukar", scopes, next(days))
    case = step(
        case,
        "forward",
        "bawaslu.kukar",
        scopes,
        next(days),
        {"violation_types": ["online-campaign"], "summary": "Kajian."},
    )
    case = step(case, "start_verification", "analis.bkn", scopes, next(days))
    case = step(
        case,
        "recommend",
        "analis.bkn",
        scopes,
        next(days),
        {"track": "discipline", "sanction": "heavy-demotion", "citations": citations(case)},
    )
    case = step(
        case, "receive", "bkpsdm.kukar", scopes, date(2025, 3, 26), {"received_on": "2025-03-26"}
    )
    # Nyepi and Idul Fitri with their joint leave take 28 Mar to 7 Apr; Good Friday 18 Apr.
    assert case.due_date == date(2025, 4, 25) == working_days_after(date(2025, 3, 26), 14)
    assert case.ppk_due_date == case.due_date


def test_warning_and_blocking_only_when_the_ppk_is_late(case_factory, scopes):
    case = walk_to(case_factory(), scopes, State.RECOMMENDATION_ISSUED)
    case = step(
        case, "receive", "bkpsdm.kukar", scopes, date(2024, 10, 22), {"received_on": "2024-10-22"}
    )
    with pytest.raises(Conflict, match="belum terlambat"):
        step(case, "warn_ppk", "analis.bkn", scopes, date(2024, 11, 11))
    with pytest.raises(Conflict):
        step(case, "request_blocking", "analis.bkn", scopes, date(2024, 11, 12), {"reason": "x"})
    case = step(case, "warn_ppk", "analis.bkn", scopes, date(2024, 11, 12))
    assert case.state == State.RECEIVED_BY_PPK
    assert case.warnings_sent == 1
    case = step(
        case,
        "request_blocking",
        "analis.bkn",
        scopes,
        date(2024, 11, 19),
        {"reason": "Tak ada jawaban."},
    )
    assert case.blocking_requested_on == date(2024, 11, 19)
    with pytest.raises(Conflict, match="sudah"):
        step(case, "request_blocking", "analis.bkn", scopes, date(2024, 11, 20), {"reason": "x"})


def test_an_appeal_is_recorded_once_and_flagged_when_late(case_factory, scopes):
    case = walk_to(case_factory(), scopes, State.EXAMINATION)
    case = step(
        case,
        "decide",
        "ppk.kukar",
        scopes,
        date(2024, 11, 5),
        {
            "hearing_on": "2024-11-01",
            "decision_number": "SK-1",
            "decision_date": "2024-11-05",
            "sanction": "heavy-demotion",
        },
        [Upload("examination_report", "bap.pdf", PDF), Upload("decision", "sk.pdf", PDF)],
    )
    case = step(
        case,
        "file_appeal",
        "bkpsdm.kukar",
        scopes,
        date(2024, 12, 20),
        {"route": "objection", "filed_on": "2024-12-20"},
    )
    event = case.events.get(transition="file_appeal")
    assert case.due_date is None  # no answer deadline is confirmed for an objection
    assert event.inputs["late"] is True  # 14 working days after 5 Nov 2024 is 25 Nov
    case = step(
        case,
        "decide_appeal",
        "ppk.kukar",
        scopes,
        date(2025, 1, 10),
        {
            "outcome": "changed",
            "decision_number": "SK-2",
            "decision_date": "2025-01-10",
            "sanction": "medium-tpp-12",
        },
        [Upload("appeal_decision", "banding.pdf", PDF)],
    )
    assert case.state == State.DECIDED
    assert case.imposed_sanction.code == "medium-tpp-12"
    with pytest.raises(Conflict, match="sudah"):
        step(
            case,
            "file_appeal",
            "bkpsdm.kukar",
            scopes,
            date(2025, 1, 13),
            {"filed_on": "2025-01-13"},
        )


def test_a_document_that_is_not_pdf_or_image_is_refused(case_factory, scopes):
    case = walk_to(case_factory(), scopes, State.EXAMINATION)
    with pytest.raises(InvalidInputs) as refused:
        step(
            case,
            "decide",
            "ppk.kukar",
            scopes,
            date(2024, 11, 5),
            {
                "hearing_on": "2024-11-01",
                "decision_number": "SK-1",
                "decision_date": "2024-11-05",
                "sanction": "heavy-demotion",
            },
            [Upload("examination_report", "bap.exe", b"MZ\x90\x00" * 100)],
        )
    assert set(refused.value.errors) == {"document_examination_report", "document_decision"}


def test_the_same_step_sent_twice_by_the_same_person_is_done_once(case_factory, scopes):
    case = case_factory()
    user, scope = scopes("bawaslu.kukar")
    perform(case_id=case.pk, name="start_study", actor=user, scope=scope, version=1)
    again = perform(case_id=case.pk, name="start_study", actor=user, scope=scope, version=1)
    assert again.version == 2
    assert case.events.count() == 2
    other, other_scope = scopes("bawaslu.kaltim")
    with pytest.raises(Conflict):
        perform(case_id=case.pk, name="start_study", actor=other, scope=other_scope, version=1)


def test_the_same_step_resent_with_other_inputs_is_a_conflict(case_factory, scopes):
    case = case_factory()
    user, scope = scopes("bawaslu.kukar")
    perform(case_id=case.pk, name="start_study", actor=user, scope=scope, version=1)
    asked = {"request": "Salinan unggahan dari pelapor"}
    perform(
        case_id=case.pk, name="request_study_info", actor=user, scope=scope, version=2,
        inputs=asked,
    )  # fmt: skip
    same = perform(
        case_id=case.pk, name="request_study_info", actor=user, scope=scope, version=2,
        inputs=dict(asked),
    )  # fmt: skip
    assert same.version == 3
    with pytest.raises(Conflict, match=r"other inputs|isian lain"):
        perform(
            case_id=case.pk, name="request_study_info", actor=user, scope=scope, version=2,
            inputs={"request": "Keterangan saksi"},
        )  # fmt: skip
    events = list(case.events.filter(transition="request_study_info"))
    assert [e.inputs["request"] for e in events] == ["Salinan unggahan dari pelapor"]


def test_api_answers_409_to_a_resent_step_with_other_inputs(case_factory, as_user):
    case = case_factory()
    officer = as_user("bawaslu.kukar")
    url = f"/api/v1/cases/{case.pk}/transitions"
    officer.post(f"{url}/start_study", {"version": 1}, content_type="application/json")
    body = {"version": 2, "inputs": {"request": "Salinan unggahan"}}
    first = officer.post(f"{url}/request_study_info", body, content_type="application/json")
    again = officer.post(f"{url}/request_study_info", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (200, 200)
    other = {"version": 2, "inputs": {"request": "Keterangan saksi"}}
    conflict = officer.post(f"{url}/request_study_info", other, content_type="application/json")
    assert conflict.status_code == 409
    assert case.events.filter(transition="request_study_info").count() == 1
