"""Files kept across a form's error (``HeldFile``): hold what was sent, offer it on the page
again, and hand it to the next successful submission of the same form by the same user."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from netral.core.models import HeldFile

KEEP_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Kept:
    """A file of a submission: its form field, original name and content."""

    field: str
    name: str
    content: bytes


def new_token() -> str:
    return secrets.token_urlsafe(18)


def valid_token(value: Any) -> str:
    text = str(value or "")[:40]
    return text if len(text) >= 16 else new_token()


def held(token: str, user: Any) -> dict[str, HeldFile]:
    """The files held under ``token`` for ``user``, by form field."""
    if not token or not getattr(user, "pk", None):
        return {}
    rows = HeldFile.objects.filter(token=token, user_id=user.pk)
    return {row.field: row for row in rows}


def content_of(row: HeldFile) -> bytes:
    with row.file.open("rb") as handle:
        return handle.read()


def hold(token: str, user: Any, files: list[Kept]) -> None:
    """Keep ``files`` under ``token`` (a later file for the same field replaces the former)."""
    with transaction.atomic():
        for kept in files:
            old = HeldFile.objects.filter(token=token, field=kept.field).first()
            if old is not None:
                if old.user_id != user.pk:
                    continue  # a token is never shared between users
                old.file.delete(save=False)
                old.delete()
            row = HeldFile(
                token=token,
                field=kept.field,
                user=user,
                name=kept.name[-255:],
                size=len(kept.content),
            )
            row.file.save("held", ContentFile(kept.content), save=False)
            row.save()


def release(token: str, user: Any) -> None:
    """Forget the files held under ``token`` (after the submission succeeded)."""
    for row in HeldFile.objects.filter(token=token, user_id=user.pk):
        row.file.delete(save=False)
        row.delete()


def purge(now: Any = None) -> int:
    """Delete held files older than a day; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    count = 0
    for row in HeldFile.objects.filter(created_at__lt=cutoff).iterator():
        row.file.delete(save=False)
        row.delete()
        count += 1
    return count


TOKEN_FIELD = "held_token"  # noqa: S105  (a form field name, not a secret)


def bind(request: Any, names: tuple[str, ...]) -> tuple[Any, Any, str]:
    """POST data and files for a Django form whose file fields are ``names``: a file missing from
    this submission is taken from what the last failed attempt kept. Returns (data, files, token);
    the token travels in the form's hidden ``held_token`` field."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = request.POST.copy()
    token = data[TOKEN_FIELD] = valid_token(data.get(TOKEN_FIELD))
    files = request.FILES.copy()
    kept = held(token, request.user)
    for name in names:
        if not files.get(name) and name in kept:
            files[name] = SimpleUploadedFile(kept[name].name, content_of(kept[name]))
    return data, files, token


def keep(request: Any, form: Any, files: Any, token: str, names: tuple[str, ...]) -> None:
    """After an error: keep the files of this submission and mark their fields on the form."""
    items = []
    for name in names:
        upload = files.get(name)
        if upload is not None:
            upload.seek(0)
            items.append(Kept(name, upload.name or "file", upload.read()))
    hold(token, request.user, items)
    for name, row in held(token, request.user).items():
        if name in form.fields:
            form.fields[name].held = row
            form.fields[name].required = False
