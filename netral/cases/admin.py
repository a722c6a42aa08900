"""Cases are moved only by their workflow: the admin shows them, never edits them."""

from __future__ import annotations

from django.contrib import admin

from netral.cases.models import CandidateRegistration, Case, CaseDocument, CaseEvent
from netral.core.admin import ReadOnlyAdminMixin


class EventInline(ReadOnlyAdminMixin, admin.TabularInline[CaseEvent, Case]):
    model = CaseEvent
    fields = ("seq", "transition", "from_state", "to_state", "actor", "effective_on", "reason")
    extra = 0


class DocumentInline(ReadOnlyAdminMixin, admin.TabularInline[CaseDocument, Case]):
    model = CaseDocument
    fields = ("kind", "number", "original_name", "sha256", "generated", "created_at")
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Case]):
    list_display = ("number", "state", "holder", "office", "due_date", "imported")
    list_filter = ("state", "holder", "imported")
    search_fields = ("number",)
    show_full_result_count = False
    inlines = [EventInline, DocumentInline]


@admin.register(CandidateRegistration)
class CandidateRegistrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[CandidateRegistration]):
    list_display = ("civil_servant", "election", "registered_on", "resigned_on")
    raw_id_fields = ("civil_servant",)
