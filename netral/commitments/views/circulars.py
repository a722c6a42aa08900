"""Circulars (surat edaran) and the public region page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netral.commitments.forms import CircularForm
from netral.commitments.models import Circular
from netral.commitments.queries import agencies_in, public_counts
from netral.commitments.views.common import _election, _scope_region, _store
from netral.core import audit
from netral.core import held as held_files
from netral.core.files import safe_download
from netral.core.menu import gated
from netral.core.scope import require
from netral.regions.models import Region
from netral.rules.models import Election


@login_required
@require_http_methods(["GET", "POST"])
@gated("commitments.view")
def circulars(request: HttpRequest) -> HttpResponse:
    scope = require(request, "commitments.view")
    data, files, token = (
        held_files.bind(request, ("document",)) if request.method == "POST" else (None, None, "")
    )
    form = CircularForm(data, files, initial={"election": _election(request)})
    status = 200
    if request.method == "POST":
        if scope.read_only or not scope.can("commitments.manage"):
            raise PermissionDenied
        region = _scope_region(scope)
        if region is None:
            form.add_error(None, _("Your jurisdiction has no region to issue circulars for."))
        if form.is_valid() and region is not None:
            data = form.cleaned_data
            if Circular.objects.filter(region=region, number=data["number"]).exists():
                form.add_error("number", _("A circular with this number is already recorded."))
            else:
                stored, digest = _store(data["document"])
                circular = Circular.objects.create(
                    election=data["election"],
                    region=region,
                    number=data["number"],
                    issued_on=data["issued_on"],
                    issuer=data["issuer"],
                    title=data["title"],
                    addressees=data["addressees"],
                    document=stored,
                    sha256=digest,
                    created_by_id=request.user.pk,
                )
                audit.record(action="commitments.circular", actor=request.user, obj=circular)
                held_files.release(token, request.user)
                messages.success(request, _("The circular is recorded."))
                return redirect("commitments:circulars")
        held_files.keep(request, form, files, token, ("document",))
        status = 422
    condition = agencies_in("", scope).values("region_id")
    rows = Circular.objects.filter(region_id__in=condition).order_by("-issued_on")[:200]
    return render(
        request, "commitments/circulars.html", {"form": form, "rows": rows}, status=status
    )


def circular_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """Public: circulars are public documents."""
    item = get_object_or_404(Circular, pk=pk)
    name = f"{item.number}.pdf".replace("/", "-")
    return safe_download(item.document.open("rb"), filename=name, content_type="application/pdf")


def public_region(request: HttpRequest, code: str) -> HttpResponse:
    """Public page of a region: counts, its circulars and the verification form; no names."""
    region = get_object_or_404(Region, code=code)
    election = _election(request)
    counts = public_counts(election, region.code)
    rows = (
        Circular.objects.filter(region_id=region.code)
        .select_related("election")
        .order_by("-issued_on")[:100]
    )
    context = {
        "region": region,
        "election": election,
        "elections": Election.objects.order_by("-voting_day"),
        "counts": counts,
        "circulars": rows,
    }
    return render(request, "commitments/public_region.html", context)
