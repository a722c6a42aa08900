from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from netral.accounts.queries import custodians_of, is_custodian_of
from netral.core import audit
from netral.core.files import safe_download
from netral.core.inputs import is_id
from netral.core.menu import gated
from netral.core.pow import new_challenge
from netral.core.ratelimit import rate_limited, report_limit
from netral.core.routing import may_read_replica
from netral.core.scope import request_scope, require
from netral.intake.evidence import MAX_FILES, EvidenceRejected, has_working_copy, store_upload
from netral.intake.forms import FindingForm, ReceiptForm, ReplyForm, ReportForm
from netral.intake.models import Evidence, Report, ReportMessage
from netral.intake.queries import (
    is_final,
    local_time,
    office_zone,
    public_stages,
    readable_reports,
    visible_reports,
)
from netral.intake.services import (
    TransferRefused,
    already_submitted,
    ask_reporter,
    bawaslu_offices_for_transfer,
    identity_warnings,
    masked_identity,
    normalise_receipt_code,
    report_for_receipt,
    reporter_reply,
    reveal_identity,
    stream_for,
    submit_report,
    transfer_report,
)
from netral.regions.queries import zone_abbreviation
from netral.registry.models import Office


def _token() -> str:
    return secrets.token_urlsafe(18)


def _store_files(form: Any, files: list[Any], upload_token: str) -> None:
    if len(files) > MAX_FILES:
        form.add_error("attachments", _("Send at most %(n)d files.") % {"n": MAX_FILES})
        files = files[:MAX_FILES]
    for upload in files:
        try:
            store_upload(upload, upload_token=upload_token)
        except EvidenceRejected as exc:
            form.add_error("attachments", f"{upload.name}: {exc.message}")


def _bound_form(
    request: HttpRequest, form_class: type[ReportForm], purpose: str
) -> tuple[ReportForm, str, str]:
    """The posted form with its one-time tokens (new ones when missing), and its files stored
    as pending evidence unless this submission was already received."""
    data = request.POST.copy()
    submission = str(data.get("submission_token", ""))[:40]
    upload_token = str(data.get("upload_token", ""))[:40]
    if len(submission) < 16 or len(upload_token) < 16:
        submission, upload_token = _token(), _token()
        data["submission_token"], data["upload_token"] = submission, upload_token
    key = f"{purpose}:{submission}"
    form = form_class(data, request.FILES)
    if not already_submitted(key):
        _store_files(form, request.FILES.getlist("attachments"), upload_token)
    return form, key, upload_token


def _pending(upload_token: str) -> list[Evidence]:
    if not upload_token:
        return []
    return list(Evidence.objects.filter(upload_token=upload_token, report__isnull=True))


def _form_page(
    request: HttpRequest, form: ReportForm, pending: list[Evidence], status: int
) -> HttpResponse:
    context = {"form": form, "pending": pending, "pow": new_challenge()}
    response = render(request, "intake/report_form.html", context, status=status)
    if request.method == "GET":
        # Revalidated but kept in the history, so "back" returns the same one-time token.
        patch_cache_control(response, private=True, no_cache=True, max_age=0)
    else:
        add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    """The public form: works without JavaScript, keeps every value and file on an error."""
    if request.method == "GET":
        form = ReportForm(initial={"submission_token": _token(), "upload_token": _token()})
        return _form_page(request, form, [], 200)
    # A solved proof of work earns the normal limit; without it a stricter one applies.
    limited = report_limit(request, str(request.POST.get("altcha", "")))
    if limited is not None:
        return limited
    form, key, upload_token = _bound_form(request, ReportForm, "form")
    if request.POST.get("refresh"):
        return _refreshed(request, form, ReportForm, upload_token)
    if form.is_valid() and not form.has_error("attachments"):
        result = submit_report(
            fields=form.report_fields(),
            identity=form.identity(),
            links=form.cleaned_data["links"],
            upload_tokens=[upload_token],
            idempotency_key=key,
        )
        response = render(
            request,
            "intake/receipt.html",
            {
                "report": result.report,
                "secret": result.secret,
                "repeat": not result.created,
                "warnings": form.warnings(),
                **_receipt_context(result.report),
            },
        )
        add_never_cache_headers(response)  # the receipt holds the secret: never stored
        return response
    return _form_page(request, form, _pending(upload_token), 422)


def _refreshed(
    request: HttpRequest, bound: ReportForm, form_class: type[ReportForm], upload_token: str
) -> HttpResponse:
    """Without JavaScript: the same form again, every value kept (files as pending), with the
    agencies and districts of the regencies/cities just chosen; nothing is checked yet."""
    values = {key: bound.data.get(key) for key in bound.data if key != "attachments"}
    form = form_class(initial=values)
    if form_class is ReportForm:
        return _form_page(request, form, _pending(upload_token), 200)
    context = {"form": form, "pending": _pending(upload_token)}
    return render(request, "intake/finding_form.html", context)


def status_url(code: str = "") -> str:
    """The full public address of the status page (``NETRAL_SITE_URL``), with the code."""
    url = f"{settings.NETRAL_SITE_URL}{reverse('intake:status')}"
    return f"{url}?{urlencode({'kode': code})}" if code else url


def _receipt_context(report: Report) -> dict[str, Any]:
    zone = office_zone(report)
    return {
        "submitted": local_time(report.created_at, zone),
        "status_url": status_url(report.receipt_code),
        "office": report.office,
    }


@never_cache
@rate_limited("NETRAL_RATE_RECEIPTS", "intake.receipt")
@require_POST
def receipt_download(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        raise Http404
    report = report_for_receipt(form.cleaned_data["receipt_code"], form.cleaned_data["secret"])
    if report is None:
        raise Http404
    facts = _receipt_context(report)
    text = "\n".join(
        [
            _("Netral report receipt"),
            f"{_('Receipt code')}: {report.receipt_code}",
            f"{_('Secret')}: {form.cleaned_data['secret']}",
            f"{_('Submitted')}: {facts['submitted']}",
            f"{_('Responsible office')}: {facts['office'] or '-'}",
            _("Follow your report at %(url)s with the code and the secret.")
            % {"url": facts["status_url"]},
            _("Keep the secret safe: anyone with it can read the report's status."),
            "",
        ]
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.receipt_code}.txt"'
    return response


@never_cache
@rate_limited("NETRAL_RATE_RECEIPTS", "intake.receipt")
@require_http_methods(["GET", "POST"])
def receipt_status(request: HttpRequest) -> HttpResponse:
    """The reporter's view through the receipt: where the report stands (the latest public
    stage), each stage once with its time in the office's zone, the outcome in plain words,
    questions and answers; more evidence while the report is open."""
    if request.method == "GET":
        code = normalise_receipt_code(str(request.GET.get("kode", ""))[:20])
        initial = {"receipt_code": code} if code else {}
        return render(request, "intake/status.html", {"form": ReceiptForm(initial=initial)})
    replying = "body" in request.POST
    form: ReceiptForm = (
        ReplyForm(request.POST, request.FILES) if replying else ReceiptForm(request.POST)
    )
    code = str(request.POST.get("receipt_code", ""))
    secret = str(request.POST.get("secret", ""))
    report = report_for_receipt(code, secret)
    if report is None:
        form.is_valid()
        form.add_error(None, _("No report matches this code and secret. Check both and try again."))
        return render(request, "intake/status.html", {"form": form}, status=404)
    code = report.receipt_code
    stages = public_stages(report)
    closed = is_final(stages)
    reply_form: ReceiptForm = ReplyForm(
        initial={"receipt_code": code, "secret": secret, "upload_token": _token()}
    )
    status = 200
    if replying and closed:
        messages.error(request, _("This report is closed: it takes no more answers or evidence."))
        status = 409
    elif replying:
        upload_token = str(request.POST.get("upload_token", ""))[:40] or _token()
        _store_files(form, request.FILES.getlist("attachments"), upload_token)
        if form.is_valid() and not form.has_error("attachments"):
            sent = [e.original_name for e in _pending(upload_token)]
            reporter_reply(report=report, body=form.cleaned_data["body"], upload_token=upload_token)
            received = _("Your answer is sent to Bawaslu.")
            if sent:
                received += " " + _("Files received: %(names)s.") % {"names": ", ".join(sent)}
            messages.success(request, received)
        else:
            reply_form = form
    zone = office_zone(report)
    context = {
        "form": ReceiptForm(initial={"receipt_code": code, "secret": secret}),
        "report": report,
        "stages": stages,
        "current": stages[-1] if stages else None,
        "closed": closed,
        "zone": zone_abbreviation(zone),
        "messages_": [(m, local_time(m.created_at, zone)) for m in report.messages.all()],
        "reply_form": reply_form,
        "status_url": status_url(code),
        "files": report.evidence.order_by("created_at", "id").only("original_name", "size"),
    }
    return render(request, "intake/status.html", context, status=status)


# --- Officers -------------------------------------------------------------------------------


@login_required
@gated("intake.view")
@may_read_replica
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports in the jurisdiction, newest first, 50 a page by keyset; ``?status=`` and
    ``?election=`` filter (the dashboards link here with them)."""
    require(request, "intake.view")
    queryset = visible_reports(request_scope(request)).select_related("violation_type", "office")
    status = request.GET.get("status", "")
    if status in Report.Status.values:
        queryset = queryset.filter(status=status)
    election = request.GET.get("election", "")[:60]
    if election:
        queryset = queryset.filter(election__slug=election)
    before = request.GET.get("before", "")
    if is_id(before):
        queryset = queryset.filter(pk__lt=int(before))
    rows = list(queryset.order_by("-id")[:51])
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "reports": rows[:50],
        "next_before": rows[49].pk if len(rows) > 50 else None,
        "query": query.urlencode(),
        "status": status,
        "statuses": Report.Status.choices,
    }
    return render(request, "intake/officer_list.html", context)


def _visible(request: HttpRequest, code: str) -> Report:
    """The report, when the user may open it: Bawaslu in its jurisdiction (``intake.view``),
    or the reviewing agency once its case is forwarded (``intake.review``; each opening of the
    report or a file is audited, the sealed original's as for Bawaslu)."""
    scope = request_scope(request)
    if not (scope.can("intake.view") or scope.can("intake.review")):
        raise PermissionDenied
    report = get_object_or_404(readable_reports(scope), receipt_code=code)
    if not scope.can("intake.view"):
        audit.record(
            action="intake.review.open",
            actor=request.user,
            actor_role=",".join(scope.roles),
            obj=report,
            after={"path": request.path},
            stream=stream_for(report),
        )
    return report


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, code: str) -> HttpResponse:
    from netral.core.notify import mark_read

    report = _visible(request, code)
    scope = request_scope(request)
    if request.method == "GET":
        mark_read(user=request.user, url=request.path)
    revealed: dict[str, str] | None = None
    error = transfer_error = ""
    transfer_office = transfer_reason = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "transfer":
            require(request, "intake.manage")
            transfer_office = str(request.POST.get("office", ""))[:40]
            transfer_reason = str(request.POST.get("reason", "")).strip()[:3000]
            office = Office.objects.filter(code=transfer_office).first()
            try:
                if office is None:
                    raise TransferRefused(_("Choose a Bawaslu office from the list."))
                transfer_report(
                    report=report, office=office, officer=request.user, reason=transfer_reason
                )
            except TransferRefused as exc:
                transfer_error = str(exc)
            else:
                messages.success(
                    request, _("The report is passed to %(office)s.") % {"office": office}
                )
                if visible_reports(scope).filter(pk=report.pk).exists():
                    return redirect("reports:detail", code=report.receipt_code)
                return redirect("reports:list")
        elif action == "ask":
            require(request, "intake.manage")
            question = str(request.POST.get("question", "")).strip()
            if question:
                ask_reporter(report=report, officer=request.user, question=question[:3000])
                messages.success(request, _("The question is sent to the reporter."))
                return redirect("reports:detail", code=report.receipt_code)
            else:
                error = _("Write the question for the reporter.")
        elif action == "reveal":
            if not is_custodian_of(request.user, report.office_id):
                raise PermissionDenied
            reason = str(request.POST.get("reason", "")).strip()
            if reason:
                revealed = reveal_identity(report=report, custodian=request.user, reason=reason)
            else:
                error = _("State why you need the reporter's identity.")
    custodians = custodians_of([report.office_id])[report.office_id] if report.office_id else []
    context = {
        "report": report,
        # The reviewing agency reads the file, never anything of the reporter's identity.
        "identity": masked_identity(report) if scope.can("intake.view") else {},
        "identity_warnings": identity_warnings(report),
        "revealed": revealed,
        "custodians": custodians,
        "can_reveal": bool(report.reporter_identity)
        and any(c.pk == request.user.pk for c in custodians),
        "can_ask": scope.can("intake.manage"),
        "can_transfer": scope.can("intake.manage")
        and report.status in (Report.Status.RECEIVED, Report.Status.INCOMPLETE),
        "offices": bawaslu_offices_for_transfer(report.office),
        "transfer_error": transfer_error,
        "transfer_office": transfer_office,
        "transfer_reason": transfer_reason,
        "error": error,
        "history": report.events.all(),
        "messages_": report.messages.select_related("author"),
        "evidence": report.evidence.all(),
        "links": report.links.all(),
        "sender": ReportMessage.Sender,
    }
    response = render(request, "intake/officer_detail.html", context)
    add_never_cache_headers(response)
    return response


@login_required
def evidence_file(request: HttpRequest, code: str, pk: int, which: str) -> FileResponse:
    """The working copy (``kerja``: an image with its metadata removed), or the sealed
    original (``asli``), opened only with an ``open_original`` audit entry. A file without a
    working copy of its own (PDF, video, audio) is always opened as the original, audited."""
    report = _visible(request, code)
    evidence = get_object_or_404(Evidence, pk=pk, report=report)
    if which not in ("asli", "kerja"):
        raise Http404
    original = which == "asli" or not has_working_copy(evidence)
    if original:
        audit.record(
            action="intake.evidence.open_original",
            actor=request.user,
            obj=evidence,
            after={"sha256": evidence.sha256, "report": report.receipt_code},
            stream=stream_for(report),
        )
        stored = evidence.original
    else:
        stored = evidence.working
    # Only an image's working copy may show inline; a PDF (or anything else) never runs here.
    response = safe_download(
        stored.open("rb"),
        content_type=evidence.content_type,
        inline=not original,
        filename=evidence.original_name,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@gated("intake.manage")
def finding_form(request: HttpRequest) -> HttpResponse:
    """An officer records Bawaslu's own finding (temuan) from its monitoring."""
    require(request, "intake.manage")
    if request.method == "GET":
        blank = FindingForm(initial={"submission_token": _token(), "upload_token": _token()})
        return render(request, "intake/finding_form.html", {"form": blank, "pending": []})
    form, key, upload_token = _bound_form(request, FindingForm, "finding")
    if request.POST.get("refresh"):
        return _refreshed(request, form, FindingForm, upload_token)
    if form.is_valid() and not form.has_error("attachments"):
        fields = {**form.report_fields(), "kind": Report.Kind.FINDING}
        result = submit_report(
            fields=fields,
            identity=None,
            links=form.cleaned_data["links"],
            upload_tokens=[upload_token],
            idempotency_key=key,
            actor=request.user,
        )
        report = result.report
        if not visible_reports(request_scope(request)).filter(pk=report.pk).exists():
            messages.warning(
                request,
                _("The finding was sent to %(office)s, the office responsible for it.")
                % {"office": report.office},
            )
            return redirect("reports:list")
        return redirect("reports:detail", code=report.receipt_code)
    context = {"form": form, "pending": _pending(upload_token)}
    return render(request, "intake/finding_form.html", context, status=422)
