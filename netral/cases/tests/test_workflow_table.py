"""The workflow table owns behaviour: every row declares the effect it writes and the deadline it
starts, so reading one row tells everything a step does."""

import inspect

import pytest

from netral.cases import effects, workflow
from netral.cases.choices import ADMINISTRATIVE_APPEAL, OBJECTION
from netral.cases.models import State
from netral.rules.models import DeadlineRule

STEPS = set(DeadlineRule.Step.values)


@pytest.mark.parametrize("transition", workflow.TRANSITIONS.values(), ids=lambda t: t.name)
def test_every_transition_declares_its_effect(transition):
    effect = transition.effect
    assert callable(effect)
    assert effect.__module__ == effects.__name__
    assert list(inspect.signature(effect).parameters) == ["case", "values", "day", "errors"]
    assert effect.__doc__, f"{transition.name}: say in one line what the effect writes"


@pytest.mark.parametrize("transition", workflow.TRANSITIONS.values(), ids=lambda t: t.name)
def test_every_transition_declares_its_deadline(transition):
    inputs = {spec.name: spec for spec in transition.inputs}
    spec = transition.deadline
    if isinstance(spec, workflow.ByChoice):
        assert inputs[spec.input].kind == "choice"
        # Every value the input accepts has its deadline (or none) written in the row.
        assert set(spec.choices) == {code for code, _label in inputs[spec.input].choices}
        deadlines = [d for d in spec.choices.values() if d is not None]
    elif isinstance(spec, workflow.Deadline):
        deadlines = [spec]
    else:
        assert spec in (workflow.KEEP, workflow.NONE)
        deadlines = []
    for deadline in deadlines:
        assert deadline.rule in STEPS
        assert deadline.start in (workflow.DAY, workflow.REGISTERED) or (
            inputs[deadline.start].kind == "date"
        )
        # The PPK's own due date is the follow-up deadline and nothing else.
        assert deadline.ppk == (deadline.rule == DeadlineRule.Step.PPK_FOLLOW_UP)


def test_a_row_without_effect_or_deadline_cannot_be_written():
    with pytest.raises(TypeError):
        workflow.Transition("x", "x", (State.REGISTERED,), None, workflow.STUDY)
    with pytest.raises(TypeError):
        workflow.Transition(
            "x", "x", (State.REGISTERED,), None, workflow.STUDY, effect=effects.nothing
        )


def test_the_table_reads_what_each_step_does():
    table = workflow.TRANSITIONS
    assert table["recommend"].effect is effects.recommend
    assert table["recommend"].deadline == workflow.Deadline("ppk_follow_up", ppk=True)
    assert table["receive"].deadline == workflow.Deadline(
        "ppk_follow_up", start="received_on", ppk=True
    )
    assert table["request_study_info"].deadline == workflow.Deadline(
        "bawaslu_follow_up_extended", start=workflow.REGISTERED
    )
    for name in ("close", "dismiss", "not_proven"):
        assert table[name].effect is effects.close
        assert table[name].deadline is workflow.NONE
    appeal = table["file_appeal"]
    assert appeal.deadline_for({"route": OBJECTION}) is workflow.NONE
    assert appeal.deadline_for({"route": ADMINISTRATIVE_APPEAL}) == workflow.Deadline(
        "appeal_administrative_answer", start="filed_on"
    )
    assert table["warn_ppk"].deadline_for({}) == workflow.KEEP
    # No dispatch on the step's name is left outside the table.
    assert not hasattr(effects, "apply")
