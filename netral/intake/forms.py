from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netral.core.forms import DateField, DateInput
from netral.intake.nik import nik_warnings, validate_nik
from netral.regions.queries import districts_of, provinces, regencies_by_province
from netral.rules.queries import (
    election_by_slug,
    elections,
    violation_type_by_code,
    violation_types,
)

NOT_SURE = "not-sure"
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{6,18}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,video/*,audio/*,.pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _violation_type_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("Choose…")),
        *((v.code, str(v)) for v in violation_types()),
        (NOT_SURE, _("Not sure")),
    ]


def _election_choices() -> list[tuple[str, Any]]:
    return [("", _("Not sure")), *((e.slug, str(e)) for e in elections())]


def _regency_choices() -> list[tuple[str, Any]]:
    # "Kab." as on every signboard: the public page stays light on a cheap phone.
    return [
        ("", _("Choose…")),
        *(
            (province, [(code, name.replace("Kabupaten ", "Kab. ", 1)) for code, name in rows])
            for province, rows in regencies_by_province()
        ),
    ]


class RegionChoiceField(forms.ChoiceField):
    """A regency or city from the grouped list; a province or a district code is accepted too
    (the API names the place at any level, and a form may send the district's regency)."""

    def valid_value(self, value: Any) -> bool:
        from netral.regions.queries import region_exists

        code = str(value)
        if len(code) == 2:
            return code in dict(provinces())
        if len(code) == 5:
            return any(code == c for _p, rows in regencies_by_province() for c, _n in rows)
        return len(code) == 8 and region_exists(code)


class AgencyField(forms.CharField):
    """An agency of the registry, by code (chosen from the suggestions or the list)."""

    widget = forms.Select

    def clean(self, value: Any) -> Any:
        from netral.registry.models import Agency

        code = str(super().clean(value) or "").strip()
        if not code:
            return None
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise forms.ValidationError(_("Choose an agency from the list."))
        return agency


def agency_choices(region_code: str) -> list[tuple[str, str]]:
    """The agencies a reporter may pick for a regency or city: its own government, the
    province's, and the central agencies, each with its units' count left out (names only)."""
    from django.db.models import Q

    from netral.registry.models import Agency

    if not region_code:
        return []
    agencies = Agency.objects.filter(
        Q(region_id=region_code) | Q(region_id=region_code[:2]) | Q(region__isnull=True)
    ).order_by("region_id", "name")
    return [(a.code, a.name) for a in agencies[:200]]


class ReportForm(forms.Form):
    # Choices are callables over the reference memo: read when validating or rendering, in the
    # language of the moment, and never copied or normalised per form.
    violation_type = forms.ChoiceField(
        label=_("What did the civil servant do?"), choices=_violation_type_choices
    )
    election = forms.ChoiceField(
        label=_("Which election?"), choices=_election_choices, required=False
    )
    accused_name = forms.CharField(label=_("Name of the civil servant"), max_length=200)
    accused_agency_text = forms.CharField(
        label=_("Agency or unit (OPD)"),
        max_length=200,
        required=False,
        help_text=_("Type a few letters and choose from the suggestions, or write it freely."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    accused_agency = AgencyField(label=_("Agency from the registry"), required=False)
    accused_position = forms.CharField(label=_("Position"), max_length=200, required=False)
    accused_nip = forms.CharField(
        label=_("NIP (if you know it)"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    act_region = RegionChoiceField(
        label=_("Regency/city where it happened"), choices=_regency_choices
    )
    act_district = forms.CharField(
        label=_("District (kecamatan)"), required=False, max_length=13, widget=forms.Select
    )
    act_place = forms.CharField(label=_("Place"), max_length=300, required=False)
    act_date = DateField(label=_("When did it happen?"), widget=DateInput())
    learned_date = DateField(label=_("When did you learn of it?"), widget=DateInput())
    description = forms.CharField(
        label=_("What happened?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who, what, where, and who else saw it."),
    )
    links = forms.CharField(
        label=_("Links to posts (one per line)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": "url"}),
    )
    attachments = MultipleFileField(
        label=_("Photos, videos, PDF or audio"),
        required=False,
        help_text=_("Up to 10 files. Location data in photos is removed from the copy we use."),
    )
    identified = forms.TypedChoiceField(
        label=_("Who are you?"),
        choices=[("0", _("Stay anonymous")), ("1", _("Give my identity (a formal report)"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    reporter_nik = forms.CharField(
        label=_("NIK"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reporter_address = forms.CharField(label=_("Address"), max_length=300, required=False)
    reporter_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    reporter_email = forms.EmailField(label=_("E-mail"), required=False)
    statement_true = forms.BooleanField(
        label=_("I state that this report is true to the best of my knowledge.")
    )
    submission_token = forms.CharField(widget=forms.HiddenInput)
    upload_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        act_region = str(source.get("act_region") or "")[:13]
        chosen = str(source.get("accused_agency") or "")[:40]

        # Read only when the form is rendered: a submission validates without these lists.
        def district_choices() -> list[tuple[str, Any]]:
            districts = districts_of(act_region[:5]) if len(act_region) >= 5 else []
            return [("", _("Not sure")), *districts]

        def agency_list() -> list[tuple[str, Any]]:
            agencies = agency_choices(act_region[:5])
            if chosen and chosen not in {code for code, _name in agencies}:
                from netral.registry.models import Agency

                agency = Agency.objects.filter(code=chosen).first()
                if agency is not None:
                    agencies.insert(0, (agency.code, agency.name))
            return [("", _("None of these")), *agencies]

        self.fields["act_district"].widget.choices = district_choices
        self.fields["accused_agency"].widget.choices = agency_list

    def clean_act_district(self) -> str:
        from netral.regions.queries import region_exists

        district = str(self.cleaned_data.get("act_district") or "").strip()
        region = str(self.data.get("act_region") or "")
        if district and not (
            district.startswith(region[:5] + ".") and len(district) == 8 and region_exists(district)
        ):
            raise forms.ValidationError(_("Choose a district of the chosen regency/city."))
        return district

    def clean_accused_nip(self) -> str:
        nip = "".join(str(self.cleaned_data.get("accused_nip", "")).split())
        if nip and (len(nip) != 18 or not nip.isdigit()):
            raise forms.ValidationError(_("A NIP has 18 digits; leave it empty if unsure."))
        return nip

    def clean_reporter_nik(self) -> str:
        nik = "".join(str(self.cleaned_data.get("reporter_nik", "")).split())
        if nik:
            errors = validate_nik(nik)
            if errors:
                raise forms.ValidationError(errors)
        return nik

    def clean_reporter_phone(self) -> str:
        phone = str(self.cleaned_data.get("reporter_phone", "")).strip()
        if phone and not _PHONE.match(phone):
            raise forms.ValidationError(
                _("Write the phone number with digits, e.g. 0812 3456 7890.")
            )
        return phone

    def clean_links(self) -> list[str]:
        lines = [line.strip() for line in str(self.cleaned_data.get("links", "")).splitlines()]
        links = [line for line in lines if line]
        validator = forms.URLField(assume_scheme="https")
        for link in links:
            candidate = link if "://" in link else f"https://{link}"
            try:
                validator.clean(candidate)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("This is not a web link: %(link)s") % {"link": link[:80]}
                ) from None
        return links

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        act, learned = data.get("act_date"), data.get("learned_date")
        if isinstance(act, date) and act > today:
            self.add_error("act_date", _("This date is in the future."))
        if isinstance(learned, date) and learned > today:
            self.add_error("learned_date", _("This date is in the future."))
        if isinstance(act, date) and isinstance(learned, date) and learned < act:
            self.add_error("learned_date", _("You cannot learn of it before it happened."))
        if data.get("identified"):
            for field in ("reporter_name", "reporter_nik", "reporter_address"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, _("A formal report needs this; or choose anonymous."))
            if not data.get("reporter_phone") and not data.get("reporter_email"):
                self.add_error("reporter_phone", _("Give a phone number or an e-mail address."))
        return data

    def report_fields(self) -> dict[str, Any]:
        """The valid form as ``Report`` fields (catalogue rows from the reference memo)."""
        data = self.cleaned_data
        code = data["violation_type"]
        chosen = data.get("accused_agency")
        return {
            "violation_type": None if code == NOT_SURE else violation_type_by_code(code),
            "election": election_by_slug(data["election"]),
            "accused_name": data["accused_name"],
            "accused_nip": data["accused_nip"],
            "accused_agency_text": data["accused_agency_text"],
            "accused_agency": chosen,
            "accused_position": data["accused_position"],
            "act_region_id": data.get("act_district") or data["act_region"],
            "act_place": data["act_place"],
            "act_date": data["act_date"],
            "learned_date": data["learned_date"],
            "description": data["description"],
            "statement_true": True,
        }

    def warnings(self) -> list[str]:
        """What the reporter should know about the accepted input (never blocking)."""
        identity = self.identity()
        return nik_warnings(identity["nik"]) if identity else []

    def identity(self) -> dict[str, str] | None:
        data = self.cleaned_data
        if not data.get("identified"):
            return None
        return {
            "name": data["reporter_name"],
            "nik": data["reporter_nik"],
            "address": data["reporter_address"],
            "phone": data.get("reporter_phone", ""),
            "email": data.get("reporter_email", ""),
        }


class FindingForm(ReportForm):
    """Bawaslu's own finding, entered by an officer: no reporter, no statement."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "identified",
            "reporter_name",
            "reporter_nik",
            "reporter_address",
            "reporter_phone",
            "reporter_email",
            "statement_true",
        ):
            del self.fields[name]
        self.fields["learned_date"].label = _("When did Bawaslu discover it?")

    def identity(self) -> dict[str, str] | None:
        return None


class ReceiptForm(forms.Form):
    receipt_code = forms.CharField(label=_("Receipt code"), max_length=20)
    secret = forms.CharField(
        label=_("Secret"), max_length=40, widget=forms.PasswordInput(render_value=True)
    )


class ReplyForm(ReceiptForm):
    body = forms.CharField(
        label=_("Your answer"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(label=_("Add evidence"), required=False)
    upload_token = forms.CharField(widget=forms.HiddenInput)
