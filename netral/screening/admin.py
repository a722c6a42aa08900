"""Screening in the admin: read-only (profiles change through their page or API, audited)."""

from __future__ import annotations

from django.contrib import admin

from netral.core.admin import ReadOnlyAdminMixin
from netral.screening.models import Decision, ImportJob, Post, Profile, RankingModel


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Profile]):
    list_display = ("election", "version", "created_by", "created_at")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ImportJob]):
    list_display = ("original_name", "election", "region", "status", "imported_rows", "created_at")
    list_filter = ("status",)


@admin.register(Post)
class PostAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Post]):
    list_display = ("pk", "election", "region", "source", "score", "flagged", "verdict")
    list_filter = ("source", "flagged", "verdict")
    show_full_result_count = False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Decision]):
    list_display = ("post", "verdict", "decided_by", "decided_at")


@admin.register(RankingModel)
class RankingModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[RankingModel]):
    list_display = ("election", "version", "positives", "negatives", "threshold", "created_at")
    exclude = ("weights",)
