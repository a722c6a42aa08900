"""Users, roles (data, not code), memberships that bind a user to a jurisdiction, API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from netral.core.validity import ValidQuerySet


class User(AbstractUser):
    # The registry entry of a user who is a civil servant (to sign their own integrity pact).
    civil_servant = models.OneToOneField(
        "registry.CivilServant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("civil servant"),
    )
    # The language the user last chose with the switcher: notifications and e-mails use it.
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.Model):
    """A role is data: its scope kind and its capabilities (``app.verb`` strings, ``*`` for all)."""

    class Scope(models.TextChoices):
        NATIONAL = "national", _("National")
        REGION = "region", _("Region (the whole country when no region is set)")
        AGENCY = "agency", _("Agency")

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    capabilities = models.JSONField(_("capabilities"), default=list)
    read_only = models.BooleanField(_("read-only"), default=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user holds a role in an office, bound to a region or an agency, for a period."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("role")
    )
    office = models.ForeignKey(
        "registry.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("office"),
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ValidQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["user", "is_active"], name="membership_user_idx")]

    def __str__(self) -> str:
        where = self.agency or self.region or _("national")
        return f"{self.user} - {self.role} ({where})"


class ApiToken(models.Model):
    """A personal token for partner systems: only an HMAC of its secret is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
