from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from netral.cases import workflow
from netral.cases.effects import suggestion_detail
from netral.cases.forms import TransitionForm
from netral.cases.models import Case, CaseDocument, CaseReport, Holder, State
from netral.cases.queries import (
    CaseFilter,
    filtered,
    follow_up,
    holder_of,
    overdue_queue,
    page_newest_first,
    visible_cases,
)
from netral.cases.services import (
    TransitionError,
    Upload,
    available,
    match_differs,
    perform,
    register_report,
    required_items,
)
from netral.core import held as held_files
from netral.core.confirm import confirmation_page, confirmed
from netral.core.inputs import is_id
from netral.core.menu import gated
from netral.core.routing import may_read_replica
from netral.core.scope import Scope, request_scope, require
from netral.intake.models import Report
from netral.intake.queries import visible_reports
from netral.intake.services import (
    adopt_as_finding,
    likely_duplicates,
    merge_report,
    reject_report,
    request_completion,
)
from netral.rules.models import Election

PAGE_SIZE = 25


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
                register_report(
                    report=report,
                    officer=request.user,
                    checklist=checked,
                    join=join,
                    match_confirmed=request.POST.get("confirm_match") == "on",
                )
            elif action == "complete" and text:
                request_completion(report=report, officer=request.user, missing=text)
            elif action == "reject" and text:
                if not confirmed(request):
                    return confirmation_page(
                        request,
                        action=_("Do not register"),
                        consequence=_(
                            "The report is closed as not registered; the reporter sees the reason."
                        ),
                        back=request.path,
                        details=[(_("Reason"), text)],
                    )
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
        "match_differs": match_differs(report),
    }
    return render(request, "cases/registration.html", context, status=422 if errors else 200)


# --- Case pages ---------------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    return int(value) if value and is_id(value) else None


def case_filter(request: HttpRequest) -> CaseFilter:
    """The list's filters from the query string (the dashboards link here with them)."""
    get = request.GET

    def day(name: str) -> date | None:
        try:
            return parse_date(get.get(name, "")[:10])
        except ValueError:
            return None

    return CaseFilter(
        state=get.get("state", "") if get.get("state") in State.values else "",
        election=get.get("election", "")[:60],
        region=get.get("region", "")[:13],
        overdue=get.get("overdue") == "1",
        violation=get.get("violation", "")[:40],
        social_media=get.get("social") == "1",
        imposed_level=get.get("imposed", "")[:10],
        recommended_level=get.get("recommended", "")[:10],
        holder=get.get("holder", "") if get.get("holder") in Holder.values else "",
        proven=get.get("proven") == "1",
        start=day("from"),
        end=day("to"),
    )


@login_required
@gated("cases.view")
@may_read_replica
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases in the officer's jurisdiction, newest first, filterable; keyset pages."""
    scope = require(request, "cases.view")
    f = case_filter(request)
    queryset = filtered(visible_cases(scope).select_related("office", "election"), f)
    rows, next_after = page_newest_first(
        queryset, after=_int(request.GET.get("after")), size=PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "cases": rows,
        "filter": f,
        "states": State.choices,
        "elections": Election.objects.order_by("-voting_day"),
        "next_after": next_after,
        "query": query.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "cases/case_list.html", context)


@login_required
@gated("cases.view")
@may_read_replica
def overdue_list(request: HttpRequest) -> HttpResponse:
    """The office's overdue queue: cases whose deadline passed while it was this office's move;
    ``?all=1`` shows every overdue case in the jurisdiction."""
    scope = require(request, "cases.view")
    holder = None if request.GET.get("all") == "1" else holder_of(scope)
    queryset = overdue_queue(scope, holder).select_related("office", "election")
    after = request.GET.get("after", "")
    rows = list(queryset[:500]) if not after else []
    context = {"cases": rows, "holder": holder, "today": timezone.localdate()}
    return render(request, "cases/overdue.html", context)


@login_required
@gated("cases.view")
@may_read_replica
def follow_up_page(request: HttpRequest) -> HttpResponse:
    """Recommendations per agency or per PPK: received, followed up in time, late, still open."""
    scope = require(request, "cases.view")
    by = "ppk" if request.GET.get("by") == "ppk" else "agency"
    election = request.GET.get("election", "")[:60]
    rows = follow_up(scope, by=by, election=election)
    totals = {
        key: sum(getattr(r, key) for r in rows)
        for key in ("received", "in_time", "late", "open", "open_overdue")
    }
    context = {
        "rows": rows,
        "by": by,
        "election": election,
        "elections": Election.objects.order_by("-voting_day"),
        "totals": totals,
    }
    return render(request, "cases/follow_up.html", context)


def _case_for(request: HttpRequest, pk: int) -> tuple[Case, Scope]:
    scope = require(request, "cases.view")
    case = (
        visible_cases(scope)
        .select_related(
            "office",
            "election",
            "race",
            "agency",
            "reviewing_agency",
            "ppk",
            "recommended_sanction",
            "imposed_sanction",
            "deadline_rule",
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case, scope


def _labelled(events: Any) -> list[Any]:
    rows = list(events)
    for event in rows:
        transition = workflow.TRANSITIONS.get(event.transition)
        event.label = str(transition.label if transition else _("Registered"))
        event.state_label = str(State(event.to_state).label)
    return rows


def study_of(case: Case) -> dict[str, Any] | None:
    """Bawaslu's study as forwarded: its findings (the forwarding step's summary)."""
    event = case.events.filter(transition="forward").order_by("-seq").first()
    if event is None:
        return None
    return {"summary": event.inputs.get("summary", ""), "on": event.effective_on}


def _detail(
    request: HttpRequest,
    case: Case,
    scope: Scope,
    *,
    bound: TransitionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    forms = []
    advice = None
    for transition in available(case, scope):
        if bound is not None and bound.transition.name == transition.name:
            forms.append(bound)
        elif transition.name == "recommend":
            advice = suggestion_detail(case, timezone.localdate())
            forms.append(TransitionForm(transition, case, suggested=advice))
        else:
            forms.append(TransitionForm(transition, case))
    if advice is None and bound is not None and bound.transition.name == "recommend":
        advice = suggestion_detail(case, timezone.localdate())
    if bound is not None and getattr(bound, "stale", False):
        forms.insert(0, bound)
    context = {
        "case": case,
        "info": workflow.STATES[case.state],
        "accused": list(case.accused.select_related("civil_servant")),
        "violation_types": list(case.violation_types.all()),
        "sources": list(case.sources.select_related("report")),
        "documents": list(case.documents.select_related("event")),
        "events": _labelled(case.events.select_related("actor").order_by("seq")),
        "forms": forms,
        "open_form": bound.transition.name if bound is not None else "",
        "error": error,
        "today": timezone.localdate(),
        "can_see_reports": scope.can("intake.view")
        or (scope.can("intake.review") and case.forwarded_on is not None),
        "suggestion": advice,
        "study": study_of(case),
    }
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from netral.cases.notifications import case_url
    from netral.core.notify import mark_read

    case, scope = _case_for(request, pk)
    mark_read(user=request.user, url=case_url(case))  # opened: its notifications are read
    return _detail(request, case, scope)


@login_required
@require_POST
def take_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Post-redirect-get on success; on failure the page comes back with what was entered."""
    case, scope = _case_for(request, pk)
    transition = workflow.TRANSITIONS.get(name)
    if transition is None:
        raise Http404
    data = request.POST.copy()
    token_field = f"{transition.name}-held_token"
    token = held_files.valid_token(data.get(token_field))
    data[token_field] = token
    form = TransitionForm(transition, case, data, request.FILES)
    kept = held_files.held(token, request.user)
    uploads, sent = [], []
    for document in transition.documents:
        field = f"document_{document.kind}"
        upload = request.FILES.get(form.add_prefix(field))
        if upload is not None:
            item = held_files.Kept(field, upload.name or "", upload.read())
        elif field in kept:
            item = held_files.Kept(field, kept[field].name, held_files.content_of(kept[field]))
        else:
            continue
        sent.append(item)
        uploads.append(Upload(kind=document.kind, name=item.name, content=item.content))
    if transition.danger and not confirmed(request):
        # Asked once more on a page of its own; the files wait under the form's token.
        held_files.hold(token, request.user, sent)
        return confirmation_page(
            request,
            action=transition.label,
            consequence=_("The case moves on and this step cannot be taken back."),
            back=reverse("cases:detail", args=[case.pk]),
            details=[
                (spec.label, ", ".join(request.POST.getlist(form.add_prefix(spec.name))))
                for spec in transition.inputs
                if request.POST.get(form.add_prefix(spec.name))
            ],
            extra={token_field: token},
        )
    try:
        perform(
            case_id=case.pk,
            name=name,
            actor=request.user,
            scope=scope,
            version=_int(request.POST.get(form.add_prefix("version"))),
            inputs=form.raw_inputs(),
            uploads=uploads,
        )
    except TransitionError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        form.place_errors(exc.errors)
        # The files sent stay with the form: the next attempt takes them unless replaced.
        held_files.hold(token, request.user, sent)
        form.show_held(held_files.held(token, request.user))
        fresh, scope = _case_for(request, pk)
        if exc.status == 409 and transition.name not in {t.name for t in available(fresh, scope)}:
            # The step is no longer possible: the case as it is now, with the reason, and what
            # was typed kept on the page (read-only) so nothing is lost.
            form.stale = True  # type: ignore[attr-defined]
        return _detail(request, fresh, scope, bound=form, error=exc.message, status=exc.status)
    held_files.release(token, request.user)
    messages.success(request, _("Saved: %(step)s.") % {"step": transition.label})
    return redirect("cases:detail", pk=case.pk)


@login_required
def document(request: HttpRequest, pk: int, doc: int) -> HttpResponseBase:
    case, _scope = _case_for(request, pk)
    item = get_object_or_404(CaseDocument, pk=doc, case=case)
    if not item.sha256:
        messages.info(request, _("This letter is being prepared: reload the page in a moment."))
        return redirect("cases:detail", pk=case.pk)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )


# --- Resign to run ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@gated("cases.view")
def candidates(request: HttpRequest) -> HttpResponse:
    """Civil servants registered as candidates; those still active after determination flagged."""
    from netral.cases.candidacy import (
        candidacies,
        determination_date,
        record_candidacy,
        still_active,
    )
    from netral.cases.forms import CandidacyForm

    scope = require(request, "cases.view")
    elections = list(Election.objects.order_by("-voting_day"))
    chosen = request.GET.get("election") or (elections[0].slug if elections else "")
    election = next((e for e in elections if e.slug == chosen), None)
    form = CandidacyForm(request.POST or None)
    may_record = not scope.read_only and (scope.can("cases.study") or scope.can("registry.edit"))
    status = 200
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            servant = form.cleaned_data["servant"]
            if not (
                scope.national
                or servant.agency_id in scope.agency_ids
                or scope.covers_region(servant.agency.region_id)
            ):
                form.add_error("nip", _("This civil servant is outside your jurisdiction."))
            else:
                record_candidacy(
                    election=form.cleaned_data["election"],
                    civil_servant=servant,
                    registered_on=form.cleaned_data["registered_on"],
                    resigned_on=form.cleaned_data["resigned_on"],
                    decree=form.cleaned_data["resignation_decree"],
                    actor=request.user,
                )
                messages.success(request, _("The candidacy is recorded."))
                return redirect(f"{request.path}?election={form.cleaned_data['election'].slug}")
        status = 422
    rows = candidacies(scope, election) if election else None
    flagged = (
        set(still_active(rows, election, timezone.localdate()).values_list("pk", flat=True))
        if rows is not None and election
        else set()
    )
    context = {
        "elections": elections,
        "election": election,
        "determined": determination_date(election) if election else None,
        "rows": list(rows.order_by("civil_servant__name")[:1000]) if rows is not None else [],
        "flagged": flagged,
        "form": form,
        "may_record": may_record,
    }
    return render(request, "cases/candidates.html", context, status=status)


# --- History import -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@gated("cases.import")
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a register of past cases; check first (dry run), then import the valid rows."""
    import tempfile
    from pathlib import Path

    from netral.cases.history import COLUMNS, REQUIRED, import_history
    from netral.registry.importing import ImportFileError

    scope = require(request, "cases.import")
    result = None
    error = ""
    dry_run = True
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = request.POST.get("dry_run") == "on"
        if upload is None:
            error = _("Choose a file.")
        elif not scope.national:
            raise PermissionDenied
        else:
            with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "").suffix) as tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                try:
                    result = import_history(
                        Path(tmp.name),
                        actor=request.user,
                        original_name=upload.name or "",
                        dry_run=dry_run,
                    )
                except ImportFileError as exc:
                    error = str(exc.message)
    context = {
        "result": result,
        "error": error,
        "dry_run": dry_run,
        "columns": list(COLUMNS.items()),
        "required": REQUIRED,
    }
    return render(request, "cases/import.html", context, status=422 if error else 200)
