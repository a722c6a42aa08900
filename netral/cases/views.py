from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from netral.cases.models import Case, CaseReport
from netral.cases.services import register_report, required_items
from netral.core.scope import request_scope
from netral.intake.models import Report
from netral.intake.queries import visible_reports
from netral.intake.services import (
    adopt_as_finding,
    likely_duplicates,
    merge_report,
    reject_report,
    request_completion,
)


@login_required
@require_http_methods(["GET", "POST"])
def registration(request: HttpRequest, code: str) -> HttpResponse:
    """Check the requirements, see likely duplicates, then register, join, ask, merge or reject."""
    scope = request_scope(request)
    if not scope.can("intake.manage"):
        raise PermissionDenied
    visible = visible_reports(scope)
    report = get_object_or_404(visible, receipt_code=code)
    duplicates = [d for d in likely_duplicates(report) if visible.filter(pk=d.pk).exists()]
    cases = {
        link.report_id: link.case
        for link in CaseReport.objects.filter(report__in=duplicates).select_related("case")
    }
    errors: list[str] = []
    checked: dict[str, bool] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        text = str(request.POST.get("text", "")).strip()[:3000]
        checked = {
            r.code: request.POST.get(f"check_{r.code}") == "on" for r in required_items(report)
        }
        try:
            if action == "register":
                join_pk = request.POST.get("join")
                join = get_object_or_404(Case, pk=join_pk) if join_pk else None
                if join is not None and join not in cases.values():
                    raise PermissionDenied
                register_report(report=report, officer=request.user, checklist=checked, join=join)
            elif action == "complete" and text:
                request_completion(report=report, officer=request.user, missing=text)
            elif action == "reject" and text:
                reject_report(report=report, officer=request.user, reason=text)
            elif action == "adopt" and text:
                adopt_as_finding(report=report, officer=request.user, reason=text)
            elif action == "merge":
                into = get_object_or_404(Report, pk=request.POST.get("into"))
                if into not in duplicates:
                    raise PermissionDenied
                merge_report(report=report, into=into, officer=request.user)
            else:
                errors.append(_("Write the reason or the missing items first."))
        except ValidationError as exc:
            errors.extend(exc.messages)
        if not errors:
            return redirect("reports:detail", code=report.receipt_code)
    context: dict[str, Any] = {
        "report": report,
        "items": [(r, checked.get(r.code, False)) for r in required_items(report)],
        "duplicates": [(d, cases.get(d.pk)) for d in duplicates],
        "errors": errors,
    }
    return render(request, "cases/registration.html", context, status=422 if errors else 200)
