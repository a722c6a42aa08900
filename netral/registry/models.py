"""Agencies, their units (OPD), civil servants (ASN), who is whose PPK, and the acting offices."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netral.core.fields import CodepointCharField
from netral.core.scope import Jurisdiction
from netral.core.validity import ValidQuerySet


class Agency(models.Model):
    """A government agency (instansi) whose PPK disciplines its civil servants."""

    # Seen by the scopes of its region (and above) and by its own staff.
    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="region", agency="id")

    class Kind(models.TextChoices):
        CENTRAL = "central", _("Central government")
        PROVINCIAL = "provincial", _("Provincial government")
        REGENCY = "regency", _("Regency government")
        CITY = "city", _("City government")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Null for a central agency; the province or regency/city for regional governments.
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("region"),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]
        indexes = [models.Index(fields=["region", "code"], name="agency_region_idx")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An organisational unit (OPD) of an agency; units form a tree."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    # Globally unique, used by imports: for example "64.02-DISDIK".
    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit (OPD)")
        verbose_name_plural = _("units (OPD)")
        ordering = ["agency_id", "code"]
        indexes = [models.Index(fields=["agency", "parent"], name="unit_agency_parent_idx")]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmploymentType(models.TextChoices):
    PNS = "PNS", _("PNS (career civil servant)")
    PPPK = "PPPK", _("PPPK (government employee with a work agreement)")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class CivilServant(models.Model):
    """A civil servant (ASN), identified by NIP."""

    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="agency__region", agency="agency")

    # Unique by the constraint cs_nip_unique: one index that also serves the prefix search
    # (a unique=True field would get a second, pattern-ops index on PostgreSQL).
    nip = CodepointCharField(_("NIP"), max_length=18)
    name = models.CharField(_("name"), max_length=200)
    # Lower-cased name for indexed prefix search.
    name_key = CodepointCharField(max_length=200, editable=False)
    employment_type = models.CharField(
        _("employment type"), max_length=4, choices=EmploymentType.choices
    )
    # False when the NIP fits neither the PNS nor the PPPK layout: kept, flagged, never dropped.
    nip_conforms = models.BooleanField(_("NIP fits its layout"), default=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    # No single-column indexes on agency and unit: cs_agency_name_idx and cs_unit_head_idx
    # lead with them and serve the same lookups; one index fewer to keep per row written.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="civil_servants",
        verbose_name=_("agency"),
        db_index=False,
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="civil_servants",
        verbose_name=_("unit"),
        db_index=False,
    )
    # No index: only deleting a position looks civil servants up by it (PROTECT), rarely
    # enough for a scan; every row written would pay for the index.
    position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("position"),
        db_index=False,
    )
    is_head_of_unit = models.BooleanField(_("head of unit"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("civil servant")
        verbose_name_plural = _("civil servants")
        ordering = ["name_key", "nip"]
        constraints = [models.UniqueConstraint(fields=["nip"], name="cs_nip_unique")]
        indexes = [
            models.Index(fields=["name_key", "nip"], name="cs_name_idx"),
            models.Index(fields=["agency", "name_key"], name="cs_agency_name_idx"),
            models.Index(fields=["unit", "is_head_of_unit"], name="cs_unit_head_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"


class PPKAppointment(models.Model):
    """Who is the disciplining official (PPK) of an agency, from when to when.

    An acting head (Pj, Pjs, Plt) takes precedence over the elected or appointed head on the
    days of the acting appointment.
    """

    class ActingKind(models.TextChoices):
        NONE = "", _("Elected or appointed head")
        PJ = "Pj", _("Pj (acting head)")
        PJS = "Pjs", _("Pjs (interim head)")
        PLT = "Plt", _("Plt (officer in charge)")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="ppk_appointments", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    acting_kind = models.CharField(
        _("acting"), max_length=3, choices=ActingKind.choices, blank=True, default=""
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    decree_number = models.CharField(_("decree number"), max_length=120, blank=True)

    objects = ValidQuerySet.as_manager()

    class Meta:
        verbose_name = _("PPK appointment")
        verbose_name_plural = _("PPK appointments")
        ordering = ["agency_id", "-valid_from"]
        indexes = [
            models.Index(fields=["agency", "valid_from", "valid_to"], name="ppk_agency_dates_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="ppk_valid_range",
            )
        ]

    def __str__(self) -> str:
        acting = f"{self.acting_kind} " if self.acting_kind else ""
        return f"{acting}{self.title}: {self.name}"

    @property
    def is_acting(self) -> bool:
        return bool(self.acting_kind)


class Office(models.Model):
    """An office acting in the process: Bawaslu, the reviewing agency, a personnel office."""

    # Seen by the scopes that cover its region (netral.core.scope).
    jurisdiction: ClassVar[Jurisdiction] = Jurisdiction(region="region")

    class Kind(models.TextChoices):
        BAWASLU = "bawaslu", _("Election supervisory body (Bawaslu)")
        REVIEWING = "reviewing", _("Reviewing agency (KASN/BKN)")
        PERSONNEL = "personnel", _("Personnel office (BKD/BKPSDM)")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCE = "province", _("Province")
        REGENCY_CITY = "regency_city", _("Regency/city")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        verbose_name=_("region"),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        verbose_name=_("agency"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent office"),
    )
    # Outgoing letter numbers; placeholders {seq} {kind} {office} {month} {month_roman} {year}.
    letter_pattern = models.CharField(
        _("letter number pattern"),
        max_length=120,
        default="{seq:04d}/{kind}/{office}/{month_roman}/{year}",
        help_text=_("Placeholders: {seq} {kind} {office} {month} {month_roman} {year}."),
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head"),
    )

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "region"], name="office_kind_region_idx")]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """A civil-servant import started from the web and run by the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Refreshed while a worker runs the job (netral.core.leases); a stale one means it died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, default="id")
    source = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    # The uploader's agencies when the import started; null for a national scope.
    allowed_agencies = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    flagged_rows = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    report = models.FileField(upload_to="imports/reports/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="import_owner_idx")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))


class AgencyHeadcount(models.Model):
    """Active civil servants and heads of unit per agency, refreshed by every write path of the
    registry (imports, edits) and nightly; read by coverage figures instead of counting
    millions of rows on each request."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, primary_key=True, related_name="headcount"
    )
    active = models.PositiveIntegerField(default=0)
    heads = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.active} ({self.heads} heads)"
