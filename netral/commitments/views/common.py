"""Helpers shared by the commitments pages."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

from netral.commitments.queries import agencies_in
from netral.core.scope import Scope
from netral.regions.models import Region
from netral.registry.models import Agency
from netral.rules.models import Election


def _election(request: HttpRequest) -> Election | None:
    slug = request.GET.get("election", "")
    queryset = Election.objects.order_by("-voting_day")
    return (queryset.filter(slug=slug).first() if slug else None) or queryset.first()


def _agencies(scope: Scope) -> Any:
    return agencies_in("", scope).order_by("code")


def _nips_from_file(upload: Any) -> list[tuple[int, str]]:
    from netral.registry.importing import ImportFileError, read_rows

    suffix = Path(upload.name or "").suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        header, rows, _estimate = read_rows(Path(tmp.name), upload.name or "")
        titles = [h.strip().lower() for h in header]
        if "nip" not in titles:
            raise ImportFileError(_("The file needs a column named nip."))
        column = titles.index("nip")
        return [
            (offset + 2, row[column] if column < len(row) else "")
            for offset, row in enumerate(rows)
            if any(row)
        ]


def _store(upload: Any) -> tuple[ContentFile[bytes], str]:
    content = upload.read()
    return ContentFile(content, name=upload.name), hashlib.sha256(content).hexdigest()


def _scope_region(scope: Scope) -> Region | None:
    codes = sorted(scope.region_codes)
    if codes:
        return Region.objects.filter(code=codes[0]).first()
    agency = Agency.objects.filter(pk__in=sorted(scope.agency_ids)).exclude(region=None).first()
    return agency.region if agency else None


def _offices(scope: Scope) -> Any:
    """Offices of the jurisdiction's regions and agencies (and the national ones)."""
    from django.db.models import Q

    from netral.registry.models import Office

    if scope.national:
        return Office.objects.order_by("code")
    condition = Q(region__isnull=True) | Q(agency_id__in=sorted(scope.agency_ids))
    regions = set(agencies_in("", scope).exclude(region=None).values_list("region_id", flat=True))
    for code in regions | set(scope.region_codes):
        condition |= Q(region_id=code) | Q(region_id=code.split(".")[0])
    return Office.objects.filter(condition).order_by("code")
