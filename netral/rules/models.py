"""The law as data: regulations and their provisions, violation types, sanctions, elections,
deadline rules, the reviewing agency by date, and the working-day calendar.

Every rule row carries its citation, a confidence (firm, medium, check) and validity dates.
Rows marked "check" are shown as unverified wherever they appear. Changing a rule through
``netral.rules.services.save_rule`` keeps the previous version as a ``RuleVersion`` snapshot.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from netral.core.validity import ValidQuerySet


class Confidence(models.TextChoices):
    FIRM = "firm", _("firm")
    MEDIUM = "medium", _("medium")
    CHECK = "check", _("unverified")


class Track(models.TextChoices):
    ETHICS = "ethics", _("ethics (PP 42/2004)")
    DISCIPLINE = "discipline", _("discipline (PP 94/2021)")


class ElectionKind(models.TextChoices):
    PEMILU = "pemilu", _("Pemilu (national election)")
    PILKADA = "pilkada", _("Pilkada (regional election)")


class Bilingual(models.Model):
    """Picks the Indonesian or English text of a field pair by the active language."""

    class Meta:
        abstract = True

    def text(self, field: str) -> str:
        english = getattr(self, f"{field}_en", "")
        if (get_language() or "id").startswith("en") and english:
            return str(english)
        return str(getattr(self, f"{field}_id"))


class RuleRow(models.Model):
    """Fields every rule row carries."""

    citation = models.CharField(_("citation"), max_length=300)
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ValidQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def unverified(self) -> bool:
        return self.confidence == Confidence.CHECK

    def in_force_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Regulation(models.Model):
    class Kind(models.TextChoices):
        UU = "UU", _("Law (Undang-Undang)")
        PP = "PP", _("Government regulation (Peraturan Pemerintah)")
        SKB = "SKB", _("Joint decree (Surat Keputusan Bersama)")
        SE = "SE", _("Circular (Surat Edaran)")
        PERBAWASLU = "Perbawaslu", _("Bawaslu regulation")
        PKPU = "PKPU", _("KPU regulation")
        PUTUSAN_MK = "Putusan MK", _("Constitutional Court decision")
        KEPPRES = "Keppres", _("Presidential decree")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=80)
    year = models.PositiveSmallIntegerField(_("year"))
    # The name a citation reads as ("UU 20/2023", "SKB Netralitas ASN 2022"): the law is cited
    # in Indonesian in either language of the interface.
    short_name = models.CharField(_("short name (as cited)"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=400)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, default=Confidence.FIRM
    )

    class Meta:
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")
        ordering = ["kind", "year", "number"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The document's name as cited; kind, number and year until the catalogue names it."""
        if self.short_name:
            return self.short_name
        if "/" in self.number:
            return f"{self.kind} {self.number}"
        return f"{self.kind} {self.number}/{self.year}"

    @property
    def title_text(self) -> str:
        """The full title in the interface's language (the Indonesian title when untranslated)."""
        if (get_language() or "id").startswith("en") and self.title_en:
            return self.title_en
        return self.title


class Provision(Bilingual):
    """An article of a regulation, addressed by pasal, ayat, huruf and angka."""

    regulation = models.ForeignKey(
        Regulation,
        on_delete=models.PROTECT,
        related_name="provisions",
        verbose_name=_("regulation"),
    )
    pasal = models.CharField(_("article (pasal)"), max_length=20, blank=True)
    ayat = models.CharField(_("paragraph (ayat)"), max_length=20, blank=True)
    huruf = models.CharField(_("letter (huruf)"), max_length=10, blank=True)
    angka = models.CharField(_("number (angka)"), max_length=10, blank=True)
    summary_id = models.TextField(_("summary (Indonesian)"))
    summary_en = models.TextField(_("summary (English)"), blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, default=Confidence.MEDIUM
    )

    class Meta:
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "pasal", "ayat", "huruf", "angka"],
                name="provision_address_unique",
            )
        ]

    def __str__(self) -> str:
        address = self.address
        if not address:
            return self.regulation.name
        if self.is_annex:
            return f"{self.regulation.name}, {address}"
        return f"{self.regulation.name} {address}"

    @property
    def is_annex(self) -> bool:
        return self.pasal.strip().lower().startswith("lampiran")

    @property
    def address(self) -> str:
        """Where in the document: "Pasal 9 ayat (2) huruf d" for an article, "Lampiran I" for an
        annex (an annex is not an article: never "Pasal Lampiran")."""
        parts = []
        if self.pasal:
            parts.append(self.pasal.strip() if self.is_annex else f"Pasal {self.pasal}")
        if self.ayat:
            parts.append(f"ayat ({self.ayat})")
        if self.huruf:
            parts.append(f"huruf {self.huruf}")
        if self.angka:
            parts.append(f"angka {self.angka}")
        return " ".join(parts)


class ViolationType(Bilingual, RuleRow):
    """A prohibited act of the 2022 joint decree's catalogue (codes as in DOMAIN.md)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_id = models.TextField(_("plain description (Indonesian)"))
    description_en = models.TextField(_("plain description (English)"))
    examples_id = models.TextField(_("examples (Indonesian)"), blank=True)
    examples_en = models.TextField(_("examples (English)"), blank=True)
    allows_ethics = models.BooleanField(_("ethics track possible"), default=True)
    allows_discipline = models.BooleanField(_("discipline track possible"), default=True)
    social_media = models.BooleanField(_("social-media act"), default=False)
    # The decree forbids some acts only to a civil servant who is not on unpaid leave (CLTN).
    only_without_unpaid_leave = models.BooleanField(
        _("a violation only when not on unpaid leave (CLTN)"), default=False
    )
    # What is still unverified about this act (shown as unverified on /aturan/).
    open_question_id = models.CharField(_("open question (Indonesian)"), max_length=400, blank=True)
    open_question_en = models.CharField(_("open question (English)"), max_length=400, blank=True)
    provisions = models.ManyToManyField(
        Provision, related_name="violation_types", blank=True, verbose_name=_("legal basis")
    )

    class Meta:
        verbose_name = _("violation type")
        verbose_name_plural = _("violation types")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.text("name")

    @property
    def citations(self) -> list[str]:
        """The row's citation, then each provision not already cited by it (in order)."""
        cited = [self.citation] if self.citation else []
        for provision in self.provisions.all():
            if str(provision) not in cited:
                cited.append(str(provision))
        return cited

    @property
    def further_provisions(self) -> list[Provision]:
        """The provisions the row's citation does not already name."""
        return [p for p in self.provisions.all() if str(p) != self.citation]

    @property
    def tracks(self) -> list[str]:
        tracks = []
        if self.allows_ethics:
            tracks.append(Track.ETHICS.value)
        if self.allows_discipline:
            tracks.append(Track.DISCIPLINE.value)
        return tracks


class Sanction(Bilingual, RuleRow):
    class Level(models.TextChoices):
        MORAL = "moral", _("moral sanction")
        LIGHT = "light", _("light")
        MEDIUM = "medium", _("medium")
        HEAVY = "heavy", _("heavy")
        DISMISSAL = "dismissal", _("dismissal not with honour")

    class EmploymentScope(models.TextChoices):
        ANY = "any", _("PNS and PPPK")
        PNS = "PNS", _("PNS")
        PPPK = "PPPK", _("PPPK")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    employment_type = models.CharField(
        _("employment type"), max_length=4, choices=EmploymentScope.choices, default="any"
    )
    provision = models.ForeignKey(
        Provision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["track", "position"]

    def __str__(self) -> str:
        return self.text("name")


class Timing(models.TextChoices):
    """When an act happened relative to the candidate determination of its race."""

    ANY = "any", _("any time")
    BEFORE = "before", _("before the candidate determination")
    AFTER = "after", _("on or after the candidate determination")


class SanctionOption(Bilingual, RuleRow):
    """Which sanctions a violation type allows on a track (optionally for a role, a timing
    or a condition). A withdrawn option stays for the cases that used it, never offered again."""

    violation_type = models.ForeignKey(
        ViolationType, on_delete=models.PROTECT, related_name="sanction_options"
    )
    track = models.CharField(_("track"), max_length=10, choices=Track.choices)
    sanction = models.ForeignKey(Sanction, on_delete=models.PROTECT, related_name="options")
    role = models.CharField(
        _("role (campaign team)"), max_length=40, blank=True, help_text=_("Empty: any role.")
    )
    condition_id = models.CharField(_("condition (Indonesian)"), max_length=300, blank=True)
    condition_en = models.CharField(_("condition (English)"), max_length=300, blank=True)
    timing = models.CharField(_("timing"), max_length=6, choices=Timing.choices, default=Timing.ANY)
    withdrawn = models.BooleanField(
        _("withdrawn"),
        default=False,
        help_text=_("No longer offered; kept for the cases that used it."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sanction option")
        verbose_name_plural = _("sanction options")
        ordering = ["violation_type_id", "track", "position"]
        indexes = [models.Index(fields=["violation_type", "track"], name="option_type_track_idx")]

    def __str__(self) -> str:
        return f"{self.violation_type.code} / {self.track} / {self.sanction.code}"


class Election(Bilingual, RuleRow):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=ElectionKind.choices)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    voting_day = models.DateField(_("voting day"))
    # Empty means the whole country.
    regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="elections", verbose_name=_("regions in scope")
    )

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-voting_day", "slug"]

    def __str__(self) -> str:
        return self.text("name")

    def stage(self, kind: str) -> ElectionStage | None:
        return next((s for s in self.stages.all() if s.kind == kind), None)


class ElectionRace(Bilingual, RuleRow):
    """One race of an election (president, DPR, governor...) with its candidate determination:
    the track of an act depends on the date of its own race's determination."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="races")
    code = models.SlugField(_("code"), max_length=40)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    candidate_determination = models.DateField(_("candidate determination"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("election race")
        verbose_name_plural = _("election races")
        ordering = ["election_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="election_race_unique")
        ]

    def __str__(self) -> str:
        return self.text("name")


class ElectionStage(RuleRow):
    class Kind(models.TextChoices):
        CANDIDATE_DETERMINATION = "candidate_determination", _("candidate determination")
        CAMPAIGN = "campaign", _("campaign")
        QUIET_DAYS = "quiet_days", _("quiet days")
        VOTING_DAY = "voting_day", _("voting day")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("stage"), max_length=30, choices=Kind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("election stage")
        verbose_name_plural = _("election stages")
        ordering = ["election_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["election", "kind"], name="stage_kind_unique"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="stage_range"),
        ]

    def __str__(self) -> str:
        return f"{self.election.slug} {self.kind} {self.start}..{self.end}"


class DeadlineRule(Bilingual, RuleRow):
    class Step(models.TextChoices):
        REPORT = "report", _("report after the act became known")
        OWN_FINDING = "own_finding", _("Bawaslu sets its own finding")
        BAWASLU_FOLLOW_UP = "bawaslu_follow_up", _("Bawaslu follows up a registered report")
        BAWASLU_FOLLOW_UP_EXTENDED = (
            "bawaslu_follow_up_extended",
            _("Bawaslu follow-up when more information is needed"),
        )
        REVIEW = "review", _("reviewing agency verifies and recommends")
        PPK_FOLLOW_UP = "ppk_follow_up", _("PPK follows up the recommendation")
        SUMMONS_INTERVAL = "summons_interval", _("interval between summonses")
        APPEAL = "appeal", _("appeal: objection (keberatan)")
        APPEAL_ADMINISTRATIVE = (
            "appeal_administrative",
            _("appeal: administrative appeal (banding administratif) to BPASN"),
        )
        APPEAL_ADMINISTRATIVE_ANSWER = (
            "appeal_administrative_answer",
            _("PPK answers an administrative appeal"),
        )
        COMPLETION = "completion", _("reporter completes an incomplete report")

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")

    class Applies(models.TextChoices):
        ANY = "any", _("any election")
        PEMILU = "pemilu", _("Pemilu")
        PILKADA = "pilkada", _("Pilkada")

    step = models.CharField(_("step"), max_length=30, choices=Step.choices)
    election_kind = models.CharField(_("election"), max_length=8, choices=Applies.choices)
    amount = models.PositiveSmallIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=14, choices=Unit.choices)
    extension_amount = models.PositiveSmallIntegerField(
        _("possible extension"), null=True, blank=True
    )
    note_id = models.CharField(_("note (Indonesian)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ["step", "election_kind", "valid_from"]
        indexes = [models.Index(fields=["step", "election_kind"], name="deadline_step_idx")]

    def __str__(self) -> str:
        return f"{self.step} ({self.election_kind}): {self.amount} {self.unit}"


class ReviewingAgency(RuleRow):
    """Which body reviews forwarded cases on a date (KASN until 3 Sep 2024, BKN after)."""

    class Files(models.TextChoices):
        ALL = "all", _("every file forwarded in its validity")
        UNPROCESSED = (
            "unprocessed",
            _("files forwarded in its validity, and earlier files not yet processed"),
        )
        PROCESSED = "processed", _("follow-up of earlier files already processed")

    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    files = models.CharField(_("files"), max_length=12, choices=Files.choices, default=Files.ALL)

    class Meta:
        verbose_name = _("reviewing agency")
        verbose_name_plural = _("reviewing agencies")
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="reviewing_agency_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A national day off (holiday, joint leave, election day), materialised with its source."""

    date = models.DateField(_("date"), unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    source = models.CharField(_("source"), max_length=100)

    class Meta:
        verbose_name = _("national day off")
        verbose_name_plural = _("national days off")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name_id}"


class LocalDayOff(models.Model):
    """A day off of one region (and the regions under it), added by an administrator."""

    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="days_off",
        verbose_name=_("region"),
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)
    citation = models.CharField(_("citation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("local day off")
        verbose_name_plural = _("local days off")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["region", "date"], name="local_day_off_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.date} {self.name}"


class RuleVersion(models.Model):
    """An immutable snapshot of a rule row as it was in one version."""

    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    # The catalogue correction that made this version (the loader applies each one once).
    correction = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["model", "object_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "object_id", "version"], name="rule_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id} v{self.version}"
