"""The case file: opened when Bawaslu registers a report or finding; grows with the workflow."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")

    number = models.CharField(_("case number"), max_length=40, unique=True)
    state = models.CharField(_("state"), max_length=30, choices=State.choices)
    office = models.ForeignKey(
        "registry.Office", on_delete=models.PROTECT, related_name="cases", verbose_name=_("office")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    election = models.ForeignKey(
        "rules.Election", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    violation_types = models.ManyToManyField("rules.ViolationType", blank=True, related_name="+")
    accused = models.ForeignKey(
        "registry.CivilServant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accused_name = models.CharField(_("civil servant"), max_length=200)
    # The checklist of formal and material requirements as the officer filled it in.
    registration = models.JSONField(default=dict)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    # Optimistic concurrency: every transition checks and increments it.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-registered_at"]
        indexes = [models.Index(fields=["region", "state"], name="case_scope_idx")]

    def __str__(self) -> str:
        return self.number


class CaseReport(models.Model):
    """The reports and findings a case comes from; each reporter keeps their own receipt."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sources")
    report = models.OneToOneField(
        "intake.Report", on_delete=models.PROTECT, related_name="case_link"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.case_id} <- {self.report_id}"
