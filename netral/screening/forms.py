"""Forms of screening: the profile (one text per line), pasted posts, screenshots, CSV imports
with their column mapping, and reviewers' decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netral.screening.importing import FIELDS
from netral.screening.models import Verdict

LINES = _("One per line.")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _area(label: Any, help_text: Any = LINES, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ProfileForm(forms.Form):
    hashtags = _area(_("Hashtags of the election"), _("One per line, e.g. #Pilkada2024."))


class PairForm(forms.Form):
    number = forms.IntegerField(label=_("Ballot number"), min_value=1, max_value=99)
    names = _area(_("Full names of the candidates"))
    nicknames = _area(
        _("Nicknames, abbreviations and spelling variants"),
        _("One per line, e.g. a shortened name or the pair's acronym."),
    )
    hashtags = _area(_("Hashtags of the pair"))
    accounts = _area(_("Official accounts"), _("One per line, e.g. @candidate."))
    parties = _area(_("Supporting parties"))
    slogans = _area(_("Slogans"))
    programmes = _area(_("Programme names"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("number") and not _lines(data.get("names", "")):
            self.add_error("names", _("Give at least the pair's full names."))
        return data

    def as_pair(self) -> dict[str, Any]:
        data = self.cleaned_data
        pair: dict[str, Any] = {"number": data["number"]}
        for name in (
            "names",
            "nicknames",
            "hashtags",
            "accounts",
            "parties",
            "slogans",
            "programmes",
        ):
            pair[name] = _lines(data.get(name, ""))
        return pair


PairFormSet = forms.formset_factory(PairForm, extra=2, max_num=20, validate_max=True)


def pair_initial(pair: dict[str, Any]) -> dict[str, Any]:
    return {k: ("\n".join(v) if isinstance(v, list) else v) for k, v in pair.items()}


class PostForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the post"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    account = forms.CharField(label=_("Account"), max_length=200, required=False)
    author = forms.CharField(label=_("Author"), max_length=200, required=False)
    url = forms.URLField(
        label=_("Address of the post (URL)"), max_length=1000, required=False, assume_scheme="https"
    )
    platform = forms.CharField(label=_("Platform"), max_length=40, required=False)


class ScreenshotForm(forms.Form):
    screenshot = forms.FileField(
        label=_("Screenshot (PNG or JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    account = forms.CharField(label=_("Account"), max_length=200, required=False)
    url = forms.URLField(
        label=_("Address of the post (URL)"), max_length=1000, required=False, assume_scheme="https"
    )
    platform = forms.CharField(label=_("Platform"), max_length=40, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV export of the monitoring tool"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


FIELD_LABELS = {
    "text": _("Text"),
    "author": _("Author"),
    "account": _("Account"),
    "url": _("URL"),
    "date": _("Date"),
    "platform": _("Platform"),
}


class MappingForm(forms.Form):
    """Which column of the uploaded file holds each field (text is required)."""

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)")), *((h, h) for h in header)]
        for name in FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=FIELD_LABELS[name], choices=choices, required=name == "text"
            )

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Decision"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why you decided so; required when you are unsure."),
    )
    nip = forms.CharField(
        label=_("NIP of the civil servant who owns the account"),
        required=False,
        max_length=30,
        help_text=_("When known; the account is then linked to the civil servant."),
    )
