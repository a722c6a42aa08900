"""State changes of accounts: API tokens, second-factor enrolment. Each one is audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from netral.accounts.models import ApiToken, Membership, Role, User
from netral.core import audit
from netral.registry.models import Office

TOKEN_PREFIX = "ntr_"  # noqa: S105  (a label, not a secret)
ACCOUNTS_STREAM = "accounts"


def token_digest(raw: str) -> str:
    return hmac.new(settings.HMAC_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def create_api_token(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=token_digest(raw), expires_at=expires_at
    )
    audit.record(
        action="api_token.create",
        actor=user,
        obj=token,
        after={"name": name, "prefix": prefix, "expires_at": expires_at},
        stream=ACCOUNTS_STREAM,
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: User, reason: str = "") -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        action="api_token.revoke",
        actor=actor,
        obj=token,
        before={"revoked": False},
        after={"revoked": True},
        reason=reason,
        stream=ACCOUNTS_STREAM,
    )


def user_for_token(raw: str) -> User | None:
    """The active owner of a valid, unrevoked, unexpired token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix = raw[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, token_digest(raw)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    # Bounded write rate: at most one update per token per minute.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Netral", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(*, user: User, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(
        action="otp.enrol",
        actor=user,
        object_type="otp_totp.totpdevice",
        object_id=str(device.pk),
        after={"confirmed": True},
        stream=ACCOUNTS_STREAM,
    )


CUSTODIAN_ROLE = "custodian"


class AppointmentRefused(ValueError):
    pass


@transaction.atomic
def appoint_custodian(*, office: Office, user: User, actor: User, reason: str) -> Membership:
    """Make ``user`` the identity custodian of ``office`` (a Bawaslu office). Appointing gives
    the appointer no access to identities; only the appointed custodian may reveal them."""
    if office.kind != Office.Kind.BAWASLU:
        raise AppointmentRefused(_("Custodians are appointed for Bawaslu offices only."))
    if not user.is_active:
        raise AppointmentRefused(_("This account is not active."))
    if not reason.strip():
        raise AppointmentRefused(_("State why this person is appointed."))
    role = Role.objects.get(code=CUSTODIAN_ROLE)
    existing = Membership.objects.filter(user=user, role=role, office=office, is_active=True)
    if existing.exists():
        raise AppointmentRefused(_("This person is already the custodian of this office."))
    membership = Membership.objects.create(
        user=user, role=role, office=office, region_id=office.region_id, is_active=True
    )
    audit.record(
        action="custodian.appoint",
        actor=actor,
        obj=membership,
        after={"user": user.username, "office": office.code},
        reason=reason,
        stream=ACCOUNTS_STREAM,
    )
    return membership


@transaction.atomic
def dismiss_custodian(*, membership: Membership, actor: User, reason: str) -> None:
    if not reason.strip():
        raise AppointmentRefused(_("State why this custodian is dismissed."))
    if not membership.is_active:
        return
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(
        action="custodian.dismiss",
        actor=actor,
        obj=membership,
        before={"active": True},
        after={"user": membership.user.username, "active": False},
        reason=reason,
        stream=ACCOUNTS_STREAM,
    )
