"""Admin for the law as data: every change needs a reason and creates a new version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from netral.core.admin import ReadOnlyAdminMixin
from netral.rules.models import (
    DeadlineRule,
    Election,
    ElectionRace,
    ElectionStage,
    Holiday,
    LocalDayOff,
    Provision,
    Regulation,
    ReviewingAgency,
    RuleVersion,
    Sanction,
    SanctionOption,
    ViolationType,
)
from netral.rules.services import save_rule


class RuleChangeForm(forms.ModelForm):  # type: ignore[type-arg]
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example the new regulation and article. Kept with the version."),
    )


class VersionedRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RuleChangeForm
    readonly_fields = ("version",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save_rule(obj=obj, actor=request.user, reason=form.cleaned_data["change_reason"])

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # end a rule's validity instead: history must stay


class SanctionOptionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SanctionOption
    extra = 0
    fields = (
        "track",
        "sanction",
        "timing",
        "role",
        "condition_id",
        "confidence",
        "citation",
        "withdrawn",
        "position",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ViolationType)
class ViolationTypeAdmin(VersionedRuleAdmin):
    list_display = ("code", "name_id", "confidence", "version", "valid_from", "valid_to")
    list_filter = ("confidence", "allows_ethics", "allows_discipline")
    filter_horizontal = ("provisions",)
    inlines = [SanctionOptionInline]


@admin.register(Sanction)
class SanctionAdmin(VersionedRuleAdmin):
    list_display = ("code", "track", "level", "name_id", "employment_type", "confidence", "version")
    list_filter = ("track", "level", "confidence")


@admin.register(SanctionOption)
class SanctionOptionAdmin(VersionedRuleAdmin):
    list_display = (
        "violation_type",
        "track",
        "sanction",
        "timing",
        "confidence",
        "withdrawn",
        "version",
    )
    list_filter = ("track", "timing", "confidence", "withdrawn")
    list_select_related = ("violation_type", "sanction")


class StageInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ElectionStage
    extra = 0
    readonly_fields = ("kind", "start", "end", "citation", "confidence", "version")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RaceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ElectionRace
    extra = 0
    readonly_fields = ("code", "name_id", "candidate_determination", "citation", "confidence")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Election)
class ElectionAdmin(VersionedRuleAdmin):
    list_display = ("slug", "kind", "voting_day", "confidence", "version")
    inlines = [StageInline, RaceInline]
    filter_horizontal = ("regions",)


@admin.register(ElectionStage)
class ElectionStageAdmin(VersionedRuleAdmin):
    list_display = ("election", "kind", "start", "end", "confidence", "version")
    list_select_related = ("election",)


@admin.register(ElectionRace)
class ElectionRaceAdmin(VersionedRuleAdmin):
    list_display = ("election", "code", "candidate_determination", "confidence", "version")
    list_select_related = ("election",)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(VersionedRuleAdmin):
    list_display = (
        "step",
        "election_kind",
        "amount",
        "unit",
        "confidence",
        "valid_from",
        "version",
    )
    list_filter = ("election_kind", "unit", "confidence")


@admin.register(ReviewingAgency)
class ReviewingAgencyAdmin(VersionedRuleAdmin):
    list_display = ("code", "name", "files", "valid_from", "valid_to", "version")


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "short_name", "kind", "number", "year", "confidence")
    search_fields = ("code", "short_name", "title")


@admin.register(Provision)
class ProvisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "confidence")
    list_select_related = ("regulation",)
    search_fields = ("summary_id", "summary_en", "pasal")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("date", "name_id", "source")
    date_hierarchy = "date"


@admin.register(LocalDayOff)
class LocalDayOffAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("date", "region", "name", "citation")
    raw_id_fields = ("region",)


@admin.register(RuleVersion)
class RuleVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("model", "object_id", "version", "created_at", "reason", "correction")
    list_filter = ("model", "correction")
