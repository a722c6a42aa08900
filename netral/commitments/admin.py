"""Texts are versioned (saving makes a new version); signatures and attendance are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from netral.commitments.models import Circular, Pact, PactText, PledgeText
from netral.commitments.services import publish_pact_text
from netral.core.admin import ReadOnlyAdminMixin


@admin.register(PactText)
class PactTextAdmin(admin.ModelAdmin[PactText]):
    list_display = ("election", "agency", "version", "created_at")
    fields = ("election", "agency", "body")

    def save_model(self, request: HttpRequest, obj: PactText, form: Any, change: bool) -> None:
        # Never overwrite a text pacts were signed under: publish a new version instead.
        published = publish_pact_text(
            election=obj.election, agency=obj.agency, body=obj.body, actor=request.user
        )
        obj.pk, obj.version = published.pk, published.version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PledgeText)
class PledgeTextAdmin(admin.ModelAdmin[PledgeText]):
    list_display = ("title", "version", "created_at")
    fields = ("title", "points")

    def save_model(self, request: HttpRequest, obj: PledgeText, form: Any, change: bool) -> None:
        last = PledgeText.objects.order_by("-version").first()
        PledgeText.objects.create(
            title=obj.title, points=obj.points, version=(last.version + 1) if last else 1
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Pact)
class PactAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Pact]):
    list_display = ("code", "name", "agency", "election", "signed_on", "mode", "revoked_at")
    list_filter = ("election", "mode")
    search_fields = ("code", "nip")
    show_full_result_count = False


@admin.register(Circular)
class CircularAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Circular]):
    list_display = ("number", "region", "issued_on", "issuer")
