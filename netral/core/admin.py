from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from netral.core.models import AuditEntry


class ReadOnlyAdminMixin:
    """For records written by services only: the admin may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[AuditEntry]):
    """Read-only: the trail is append-only and written by services only."""

    list_display = ("created_at", "stream", "seq", "action", "object_type", "object_id", "actor")
    list_filter = ("stream", "action")
    search_fields = ("object_id", "action")
    list_select_related = ("actor",)
    show_full_result_count = False
