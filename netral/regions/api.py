from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from netral.core.api import ErrorOut, Page, keyset_page
from netral.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    timezone: str

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent_id


@router.get(
    "",
    response={200: Page[RegionOut], 404: ErrorOut},
    auth=None,
    summary="Provinces, or a region's children",
)
def list_regions(
    request: HttpRequest,
    parent: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Without ``parent``: the 38 provinces. With ``parent=<code>``: its direct children."""
    if parent:
        if not Region.objects.filter(code=parent).exists():
            raise HttpError(404, _("No region has the code %(code)s.") % {"code": parent})
        queryset = Region.objects.filter(parent_id=parent)
    else:
        queryset = Region.objects.filter(level=Region.Level.PROVINCE)
    return keyset_page(queryset, key="code", limit=limit, cursor=cursor)


@router.get("/{code}", response={200: RegionOut, 404: ErrorOut}, auth=None, summary="One region")
def get_region(request: HttpRequest, code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise HttpError(404, _("No region has the code %(code)s.") % {"code": code})
    return region
