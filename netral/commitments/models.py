"""Prevention: integrity pacts, neutrality pledges, socialisation events and circulars.

Texts are versioned (a new row per change, the old ones kept); every signature, attendance and
document is kept with its hash. A pact can be revoked with a reason, never deleted.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netral.core.scope import Jurisdiction


class PactText(models.Model):
    """The wording of an integrity pact for an election (and optionally one agency), versioned."""

    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "registry.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("integrity pact text")
        verbose_name_plural = _("integrity pact texts")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "agency", "version"], name="pact_text_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.agency_id or '*'} v{self.version}"


class Pact(models.Model):
    """One official's integrity pact for one election."""

    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="agency__region", agency="agency")

    class Mode(models.TextChoices):
        CEREMONY = "ceremony", _("Signed at a ceremony")
        PERSONAL = "personal", _("Signed personally in Netral")

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "registry.Agency", on_delete=models.PROTECT, related_name="pacts", verbose_name=_("agency")
    )
    civil_servant = models.ForeignKey(
        "registry.CivilServant", on_delete=models.PROTECT, related_name="pacts"
    )
    name = models.CharField(_("name"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18)
    position = models.CharField(_("position"), max_length=200)
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_on = models.DateField(_("signed on"))
    before_name = models.CharField(_("signed before (name)"), max_length=200)
    before_title = models.CharField(_("signed before (title)"), max_length=200)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    text = models.ForeignKey(PactText, on_delete=models.PROTECT, related_name="pacts")
    document = models.FileField(upload_to="pacts/%Y/", blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    scan = models.FileField(upload_to="pacts/scans/%Y/", blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("integrity pact")
        verbose_name_plural = _("integrity pacts")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "civil_servant"], name="one_pact_per_official_and_election"
            )
        ]
        indexes = [models.Index(fields=["election", "agency"], name="pact_coverage_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PledgeText(models.Model):
    """A neutrality pledge with numbered points, versioned."""

    title = models.CharField(_("title"), max_length=200)
    points = models.JSONField(_("points"), default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("neutrality pledge text")
        verbose_name_plural = _("neutrality pledge texts")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class PledgeCeremony(models.Model):
    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="agency__region", agency="agency")

    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "registry.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    text = models.ForeignKey(PledgeText, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    led_by = models.CharField(_("led by"), max_length=200)
    # A code shown on site for self check-in; valid until the ceremony ends.
    checkin_code = models.CharField(max_length=12, blank=True)
    checkin_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pledge ceremony")
        verbose_name_plural = _("pledge ceremonies")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.held_on}"


class PledgeAttendance(models.Model):
    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="agency__region", agency="agency")

    class Method(models.TextChoices):
        LIST = "list", _("NIP list")
        UPLOAD = "upload", _("XLSX upload")
        CHECKIN = "checkin", _("Check-in at the ceremony")

    ceremony = models.ForeignKey(
        PledgeCeremony, on_delete=models.PROTECT, related_name="attendance"
    )
    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    civil_servant = models.ForeignKey(
        "registry.CivilServant", on_delete=models.PROTECT, related_name="pledges"
    )
    agency = models.ForeignKey("registry.Agency", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, choices=Method.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ceremony", "civil_servant"], name="pledge_once_per_ceremony"
            )
        ]
        indexes = [
            models.Index(fields=["election", "agency", "civil_servant"], name="pledge_coverage_idx")
        ]

    def __str__(self) -> str:
        return f"{self.ceremony_id} {self.civil_servant_id}"


class SocialisationEvent(models.Model):
    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="region")

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        VIRTUAL = "virtual", _("Virtual")

    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("link"), blank=True)
    bawaslu_office = models.ForeignKey(
        "registry.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    personnel_office = models.ForeignKey(
        "registry.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    speakers = models.TextField(_("speakers"), blank=True)
    target_agencies = models.ManyToManyField("registry.Agency", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("socialisation event")
        verbose_name_plural = _("socialisation events")
        indexes = [models.Index(fields=["election", "region"], name="event_region_idx")]

    def __str__(self) -> str:
        return self.title


class EventMaterial(models.Model):
    event = models.ForeignKey(
        SocialisationEvent, on_delete=models.PROTECT, related_name="materials"
    )
    file = models.FileField(upload_to="events/%Y/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name


class EventAttendance(models.Model):
    event = models.ForeignKey(
        SocialisationEvent, on_delete=models.PROTECT, related_name="attendance"
    )
    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    civil_servant = models.ForeignKey(
        "registry.CivilServant", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("registry.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "civil_servant"], name="event_attend_once")
        ]
        indexes = [models.Index(fields=["election", "agency"], name="event_reach_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.civil_servant_id}"


class Circular(models.Model):
    """A regional head's or secretary's circular on neutrality, public per region."""

    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="region")

    election = models.ForeignKey("rules.Election", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=120)
    issued_on = models.DateField(_("date"))
    issuer = models.CharField(_("issuer"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    addressees = models.TextField(_("addressees"), blank=True)
    document = models.FileField(upload_to="circulars/%Y/")
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        constraints = [
            models.UniqueConstraint(fields=["region", "number"], name="circular_number_unique")
        ]
        indexes = [models.Index(fields=["region", "election"], name="circular_region_idx")]

    def __str__(self) -> str:
        return self.number


class CoverageTally(models.Model):
    """Per election and agency: heads of unit with a valid pact, civil servants who pledged,
    whether socialisation reached it. Refreshed by every commitment write and when the
    registry's headcounts change, so coverage reads a few hundred rows, not millions."""

    election = models.ForeignKey("rules.Election", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("registry.Agency", on_delete=models.CASCADE, related_name="+")
    heads_signed = models.PositiveIntegerField(default=0)
    pledged = models.PositiveIntegerField(default=0)
    reached = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "agency"], name="tally_unique")]

    def __str__(self) -> str:
        return f"{self.election_id}/{self.agency_id}"
