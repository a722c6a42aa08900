"""A form per transition, built from its declaration in ``workflow`` (one source of truth)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netral.cases import workflow
from netral.cases.models import Case, CaseDocument, CaseReport
from netral.core.forms import DateField, DateInput
from netral.registry.nip import digits_of
from netral.rules.models import Election, Provision, Sanction, ViolationType

LONG_TEXT = {"reason", "summary", "request", "override_reason", "note"}


def _sanction_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    return [
        (s.code, f"{s.get_track_display()} · {s.get_level_display()} · {s.text('name')}")
        for s in Sanction.objects.valid_on(today).order_by("track", "position")
    ]


def _provision_choices(case: Case) -> list[tuple[int, str]]:
    types = list(case.violation_types.values_list("pk", flat=True))
    provisions = (
        Provision.objects.filter(
            Q(violation_types__in=types)
            | Q(pk__in=Sanction.objects.filter(provision__isnull=False).values("provision"))
        )
        .select_related("regulation")
        .distinct()
        .order_by("regulation__id", "pk")
    )
    return [(p.pk, str(p)) for p in provisions]


def _violation_codes(case: Case) -> list[str]:
    """The case's violation types, or else those its reports name (pre-ticked on forwarding)."""
    if not case.pk:
        return []
    codes = list(case.violation_types.values_list("code", flat=True))
    if codes:
        return codes
    return list(
        ViolationType.objects.filter(
            pk__in=CaseReport.objects.filter(case=case).values("report__violation_type")
        ).values_list("code", flat=True)
    )


def field_for(spec: workflow.Input, case: Case) -> forms.Field:
    common: dict[str, Any] = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.help,
    }
    if spec.kind == "date":
        return DateField(widget=DateInput(), **common)
    if spec.kind == "dates":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if spec.kind == "choice":
        return forms.ChoiceField(choices=spec.choices, widget=forms.RadioSelect, **common)
    if spec.kind == "sanction":
        # What the file already says: the recommended sanction, for the PPK to confirm or change.
        sanction = case.recommended_sanction if case.recommended_sanction_id else None
        recommended = sanction.code if sanction is not None else ""
        return forms.ChoiceField(
            choices=[("", "—"), *_sanction_choices()], initial=recommended, **common
        )
    if spec.kind == "provisions":
        return forms.MultipleChoiceField(
            choices=_provision_choices(case), widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.kind == "race":
        races = list(case.election.races.all()) if case.election is not None else []
        return forms.ChoiceField(
            choices=[("", "—"), *[(r.code, r.text("name")) for r in races]], **common
        )
    if spec.kind == "office":
        from netral.intake.services import bawaslu_offices_for_transfer

        offices = bawaslu_offices_for_transfer(case.office)
        return forms.ChoiceField(
            choices=[("", "—"), *((o.code, o.name) for o in offices)], **common
        )
    if spec.kind == "violation_types":
        today = timezone.localdate()
        choices = [
            (v.code, v.text("name"))
            for v in ViolationType.objects.valid_on(today).order_by("position")
        ]
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            initial=_violation_codes(case),
            **common,
        )
    if spec.name in LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
    return forms.CharField(max_length=300, **common)


def races_differ(case: Case) -> bool:
    """Whether the case's election has races determined on different days (and no race yet)."""
    if case.election is None or case.race_id is not None:
        return False
    return len({r.candidate_determination for r in case.election.races.all()}) > 1


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Names the files kept from a failed attempt (``netral.core.held``).
    held_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        transition: workflow.Transition,
        case: Case,
        *args: Any,
        suggested: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", transition.name)
        initial: dict[str, Any] = {"version": case.version}
        if suggested and suggested.get("track"):
            # The classifier's suggestion, pre-selected: following it takes one submit.
            initial["track"] = suggested["track"]
            if suggested["sanctions"]:
                initial["sanction"] = suggested["sanctions"][0]["code"]
            initial["citations"] = [str(pk) for pk in suggested["provision_ids"]]
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.transition = transition
        for spec in transition.inputs:
            if spec.kind == "race" and not races_differ(case):
                continue  # asked only where the races' determinations differ
            self.fields[spec.name] = field_for(spec, case)
        for document in transition.documents:
            self.fields[f"document_{document.kind}"] = forms.FileField(
                label=CaseDocument.Kind(document.kind).label,
                required=document.required,
                help_text=_("PDF, JPEG or PNG, at most 20 MB."),
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            )

    def show_held(self, held: dict[str, Any]) -> None:
        """Mark the document fields whose file is kept from the last attempt."""
        for name, row in held.items():
            if name in self.fields:
                self.fields[name].held = row  # type: ignore[attr-defined]
                self.fields[name].required = False

    def raw_inputs(self) -> dict[str, Any]:
        """The submitted values as given, for the service to check (lists stay lists)."""
        values: dict[str, Any] = {}
        for spec in self.transition.inputs:
            key = self.add_prefix(spec.name)
            if spec.kind in ("provisions", "violation_types"):
                values[spec.name] = self.data.getlist(key)  # type: ignore[attr-defined]
            else:
                values[spec.name] = self.data.get(key, "")
        return values

    def place_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)


class CandidacyForm(forms.Form):
    election: forms.ModelChoiceField[Election] = forms.ModelChoiceField(
        queryset=Election.objects.order_by("-voting_day"), label=_("Election"), to_field_name="slug"
    )
    nip = forms.CharField(label=_("NIP"), max_length=18)
    registered_on = DateField(label=_("Registered as candidate on"), widget=DateInput())
    resigned_on = DateField(
        label=_("Resignation effective on"),
        required=False,
        widget=DateInput(),
    )
    resignation_decree = forms.CharField(
        label=_("Resignation decree number"), max_length=120, required=False
    )

    def clean(self) -> dict[str, Any]:
        from netral.registry.models import CivilServant

        data = super().clean() or {}
        nip = digits_of(data.get("nip", ""))
        if data.get("nip") is not None:
            servant = CivilServant.objects.select_related("agency").filter(nip=nip).first()
            if servant is None:
                self.add_error("nip", _("No civil servant with this NIP is in the registry."))
            data["servant"] = servant
        registered = data.get("registered_on")
        if registered and registered > timezone.localdate():
            self.add_error("registered_on", _("The date cannot lie in the future."))
        return data
