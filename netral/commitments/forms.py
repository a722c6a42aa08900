from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netral.core.files import pdf_active_content
from netral.core.forms import DateField, DateInput
from netral.registry.models import Agency, Office
from netral.rules.models import Election

DATE = DateInput()


def elections() -> Any:
    return Election.objects.order_by("-voting_day")


class ElectionField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=elections(), to_field_name="slug", label=_("Election"), **kwargs)


def _not_future(value: Any) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot lie in the future."))


class CeremonyPactForm(forms.Form):
    election = ElectionField()
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    signed_on = DateField(label=_("Signed on"), widget=DATE, validators=[_not_future])
    heads = forms.MultipleChoiceField(
        label=_("Heads of unit signing"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_nips = forms.CharField(
        label=_("Other officials (NIP, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric"}),
    )
    scan = forms.FileField(
        label=_("Scan of the signed pacts (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
    )
    # Names the scan kept from a failed attempt (``netral.core.held``).
    held_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, agencies: Any, heads: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["heads"].choices = heads  # type: ignore[attr-defined]

    def nips(self) -> list[str]:
        listed = list(self.cleaned_data.get("heads") or [])
        extra = str(self.cleaned_data.get("other_nips") or "").replace(",", "\n").splitlines()
        return listed + [n.strip() for n in extra if n.strip()]


class PersonalPactForm(forms.Form):
    election = ElectionField()
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    agree = forms.BooleanField(label=_("I have read the pact and sign it."))


class PledgeCeremonyForm(forms.Form):
    election = ElectionField()
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    held_on = DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200)
    led_by = forms.CharField(label=_("Led by"), max_length=200)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    nips = forms.CharField(
        label=_("NIP list (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "inputmode": "numeric"}),
    )
    file = forms.FileField(
        label=_("Or an XLSX/CSV file with a column nip"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    # Names the list file kept from a failed attempt (``netral.core.held``).
    held_token = forms.CharField(widget=forms.HiddenInput, required=False)


class CheckInForm(forms.Form):
    nip = forms.CharField(
        label=_("NIP"), max_length=18, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    code = forms.CharField(label=_("Code shown at the ceremony"), max_length=12)


class EventForm(forms.Form):
    election = ElectionField()
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = DateField(label=_("Date"), widget=DATE)
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=(("on_site", _("On site")), ("virtual", _("Virtual"))),
        widget=forms.RadioSelect,
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    link = forms.URLField(label=_("Link (virtual events)"), required=False, assume_scheme="https")
    bawaslu_office = forms.ModelChoiceField(
        queryset=Office.objects.none(), label=_("Organiser: Bawaslu office"), required=False
    )
    personnel_office = forms.ModelChoiceField(
        queryset=Office.objects.none(), label=_("Organiser: personnel office"), required=False
    )
    speakers = forms.CharField(
        label=_("Speakers"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    target_agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        label=_("Target agencies"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    material = forms.FileField(label=_("Material (PDF)"), required=False)
    held_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, agencies: Any, offices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_agencies"].queryset = agencies  # type: ignore[attr-defined]
        if offices is not None:
            self.fields["bawaslu_office"].queryset = offices.filter(  # type: ignore[attr-defined]
                kind=Office.Kind.BAWASLU
            )
            self.fields["personnel_office"].queryset = offices.filter(  # type: ignore[attr-defined]
                kind=Office.Kind.PERSONNEL
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "virtual" and not data.get("link"):
            self.add_error("link", _("A virtual event needs its link."))
        if data.get("mode") == "on_site" and not data.get("place"):
            self.add_error("place", _("An on-site event needs its place."))
        return data


class CircularForm(forms.Form):
    election = ElectionField()
    number = forms.CharField(label=_("Number"), max_length=120)
    issued_on = DateField(label=_("Date"), widget=DATE, validators=[_not_future])
    issuer = forms.CharField(label=_("Issuer"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=300)
    addressees = forms.CharField(
        label=_("Addressees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(
        label=_("Circular (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf"})
    )
    held_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_document(self) -> Any:
        document = self.cleaned_data["document"]
        content = document.read()
        document.seek(0)
        problem = circular_problem(content)
        if problem:
            raise forms.ValidationError(problem)
        return document


def circular_problem(content: bytes) -> str | None:
    """Why a circular's file cannot be published, or None: it must be a plain PDF (a public
    document opened by anyone must carry no script, launch action or embedded file)."""
    if not content.startswith(b"%PDF"):
        return str(_("Upload a PDF file."))
    active = pdf_active_content(content)
    if active:
        return str(
            _(
                "The PDF carries active content (%(names)s). Export it again as a plain PDF "
                "(print to PDF) and upload that."
            )
            % {"names": ", ".join(active)}
        )
    return None
