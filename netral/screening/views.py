"""Pages of screening (/penapisan/): the review queue, a post with its highlighted cues and
the decision, the election profile, pasted posts, screenshots and CSV imports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from netral.core.api import InvalidInput, decode_cursor, encode_cursor
from netral.core.scope import Scope, require
from netral.rules.models import Election
from netral.screening import services
from netral.screening.forms import (
    DecisionForm,
    ImportForm,
    MappingForm,
    PairFormSet,
    PostForm,
    ProfileForm,
    ScreenshotForm,
    pair_initial,
)
from netral.screening.models import ImportJob, Post, Profile
from netral.screening.ocr import ScreenshotRejected, read_text
from netral.screening.queries import default_region, visible_imports, visible_posts

PAGE = 25
KINDS = {
    "pair_hashtag": gettext_lazy("pair hashtag"),
    "slogan": gettext_lazy("slogan"),
    "ballot": gettext_lazy("ballot number"),
    "ballot_word": gettext_lazy("ballot number"),
    "account": gettext_lazy("official account"),
    "name": gettext_lazy("name"),
    "nickname": gettext_lazy("nickname"),
    "programme": gettext_lazy("programme"),
    "party": gettext_lazy("party"),
    "election_hashtag": gettext_lazy("election hashtag"),
    "campaign": gettext_lazy("campaign word"),
    "campaign_weak": gettext_lazy("campaign word"),
}


def _scope(request: HttpRequest, capability: str = "screening.view") -> Scope:
    scope = require(request, capability)
    if capability != "screening.view" and scope.read_only:
        raise PermissionDenied
    return scope


def _election(request: HttpRequest) -> Election | None:
    slug = request.GET.get("pemilihan") or request.POST.get("pemilihan")
    if slug:
        return Election.objects.filter(slug=slug).first()
    latest = Profile.objects.order_by("-created_at").select_related("election").first()
    return latest.election if latest else Election.objects.order_by("-voting_day").first()


def highlight(text: str, cues: list[dict[str, Any]]) -> SafeString:
    """The post's text with each cue's span marked (kind and pair in the title)."""
    spans = sorted(
        (int(c.get("start", 0)), int(c.get("end", 0)), c)
        for c in cues
        if 0 <= int(c.get("start", 0)) < int(c.get("end", 0)) <= len(text)
    )
    out: list[str] = []
    position = 0
    for start, end, cue in spans:
        if start < position:
            continue  # overlaps a span already marked
        out.append(escape(text[position:start]))
        label = str(KINDS.get(cue["kind"], cue["kind"]))
        if cue.get("pair"):
            label += " · " + _("pair %(n)s") % {"n": cue["pair"]}
        out.append(
            format_html(
                '<mark class="cue cue-{}" title="{}">{}</mark>',
                cue["kind"],
                label,
                text[start:end],
            )
        )
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(str(part) for part in out))


def _cue_rows(cues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**c, "label": KINDS.get(c["kind"], c["kind"])} for c in cues]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Posts nobody has decided yet, highest score first; decided ones on request."""
    scope = _scope(request)
    election = _election(request)
    shown = request.GET.get("tampil", "antrean")
    posts = visible_posts(scope).select_related("finding")
    if election is not None:
        posts = posts.filter(election=election)
    if shown == "antrean":
        posts = posts.filter(verdict="")
    elif shown == "tandai":
        posts = posts.filter(verdict="", flagged=True)
    elif shown == "diputus":
        posts = posts.exclude(verdict="")
    cursor = request.GET.get("cursor")
    if cursor:
        try:
            score, pk = decode_cursor(cursor)
            posts = posts.filter(Q(score__lt=score) | Q(score=score, pk__gt=pk))
        except (InvalidInput, TypeError, ValueError):
            cursor = None  # a damaged cursor starts the queue again
    rows = list(posts.order_by("-score", "pk")[: PAGE + 1])
    next_cursor = (
        encode_cursor([rows[PAGE - 1].score, rows[PAGE - 1].pk]) if len(rows) > PAGE else None
    )
    rows = rows[:PAGE]
    for post in rows:
        post.marked = highlight(post.text, post.cues)  # type: ignore[attr-defined]
        post.cue_rows = _cue_rows(post.cues)  # type: ignore[attr-defined]
    context = {
        "election": election,
        "elections": Election.objects.order_by("-voting_day"),
        "profile": services.current_profile(election) if election else None,
        "posts": rows,
        "shown": shown,
        "next_cursor": next_cursor,
        "can_manage": scope.can("screening.manage") and not scope.read_only,
        "can_profile": scope.can("screening.profile") and not scope.read_only,
        "imports": visible_imports(scope).select_related("election")[:5],
    }
    return render(request, "screening/queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    post = get_object_or_404(
        visible_posts(scope).select_related(
            "election", "civil_servant", "finding", "region", "report"
        ),
        pk=pk,
    )
    form = DecisionForm()
    status = 200
    if request.method == "POST":
        _scope(request, "screening.manage")
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.decide(
                    post=post,
                    verdict=form.cleaned_data["verdict"],
                    note=form.cleaned_data["note"],
                    nip=form.cleaned_data["nip"],
                    actor=request.user,
                )
            except services.ScreeningError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your decision was recorded."))
                return redirect("screening:post", pk=post.pk)
        status = 422
    model_only = post.flagged and not any(c.get("pair") for c in post.cues)
    context = {
        "post": post,
        "marked": highlight(post.text, post.cues),
        "cue_rows": _cue_rows(post.cues),
        "nearest": services.nearest_confirmed(post) if model_only else [],
        "model_only": model_only,
        "decisions": post.decisions.select_related("decided_by"),
        "form": form,
        "can_manage": scope.can("screening.manage") and not scope.read_only,
        "can_find": scope.can("intake.manage") and not scope.read_only,
    }
    return render(request, "screening/post.html", context, status=status)


@login_required
@require_POST
def make_finding(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request, "screening.manage")
    if not scope.can("intake.manage"):
        raise PermissionDenied
    post = get_object_or_404(visible_posts(scope), pk=pk)
    try:
        report = services.make_finding(post=post, actor=request.user)
    except services.ScreeningError as exc:
        messages.error(request, exc.message)
        return redirect("screening:post", pk=post.pk)
    messages.success(
        request, _("Finding %(code)s was opened with this post as evidence.") % {"code": report}
    )
    return redirect("screening:post", pk=post.pk)


@login_required
def screenshot_file(request: HttpRequest, pk: int) -> FileResponse:
    post = get_object_or_404(visible_posts(_scope(request)), pk=pk)
    if not post.screenshot:
        raise Http404
    content_type = "image/png" if post.screenshot.name.endswith(".png") else "image/jpeg"
    return FileResponse(post.screenshot.open("rb"), content_type=content_type)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    """The election's profile, typed by an officer; saving makes a new version."""
    _scope(request, "screening.profile")
    election = get_object_or_404(Election, slug=slug)
    current = services.current_profile(election)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        pairs = PairFormSet(request.POST, prefix="pair")
        if form.is_valid() and pairs.is_valid():
            data = {
                "hashtags": [
                    line.strip()
                    for line in form.cleaned_data["hashtags"].splitlines()
                    if line.strip()
                ],
                "pairs": [f.as_pair() for f in pairs if f.cleaned_data.get("number")],
            }
            try:
                saved = services.save_profile(election=election, data=data, actor=request.user)
            except services.ScreeningError as exc:
                form.add_error(None, f"{exc.field}: {exc.message}" if exc.field else exc.message)
            else:
                messages.success(
                    request,
                    _("Profile version %(v)d of %(e)s is in use.")
                    % {"v": saved.version, "e": election.text("name")},
                )
                return redirect(f"/penapisan/?pemilihan={election.slug}")
        status = 422
    else:
        data = current.data if current else {"hashtags": [], "pairs": []}
        form = ProfileForm(initial={"hashtags": "\n".join(data["hashtags"])})
        pairs = PairFormSet(initial=[pair_initial(p) for p in data["pairs"]], prefix="pair")
        status = 200
    context = {"election": election, "current": current, "form": form, "pairs": pairs}
    return render(request, "screening/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def paste(request: HttpRequest) -> HttpResponse:
    scope = _scope(request, "screening.manage")
    election = _election(request)
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and election is not None:
        data = form.cleaned_data
        post, created = services.add_post(
            election=election,
            region_id=default_region(scope),
            text=data["text"],
            author=data["author"],
            account=data["account"],
            url=data["url"],
            platform=data["platform"],
            actor=request.user,
        )
        if not created:
            messages.info(request, _("This post was already screened."))
        return redirect("screening:post", pk=post.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "screening/paste.html", {"form": form, "election": election}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def screenshot(request: HttpRequest) -> HttpResponse:
    """A screenshot read by OCR; its text is screened like pasted text."""
    scope = _scope(request, "screening.manage")
    election = _election(request)
    form = ScreenshotForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and election is not None:
        upload = form.cleaned_data["screenshot"]
        data = upload.read()
        try:
            text = read_text(data)
        except ScreenshotRejected as exc:
            form.add_error("screenshot", exc.message)
        else:
            post, created = services.add_post(
                election=election,
                region_id=default_region(scope),
                text=text,
                account=form.cleaned_data["account"],
                url=form.cleaned_data["url"],
                platform=form.cleaned_data["platform"],
                source=Post.Source.SCREENSHOT,
                screenshot=data,
                screenshot_name=upload.name or "",
                actor=request.user,
            )
            if not created:
                messages.info(request, _("This post was already screened."))
            return redirect("screening:post", pk=post.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "screening/screenshot.html", {"form": form, "election": election}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def start_import(request: HttpRequest) -> HttpResponse:
    """Step 1: the file is stored; step 2 (the job's page) asks which column holds what."""
    scope = _scope(request, "screening.manage")
    election = _election(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and election is not None:
        try:
            job = services.start_import(
                election=election,
                region_id=default_region(scope),
                upload=form.cleaned_data["file"],
                mapping=None,
                actor=request.user,
                queue=False,
            )
        except services.ScreeningError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("screening:import", pk=job.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "screening/import.html", {"form": form, "election": election}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress, or, while it waits for it, the column mapping."""
    scope = _scope(request)
    job = get_object_or_404(visible_imports(scope).select_related("election"), pk=pk)
    if job.status == ImportJob.Status.MAPPING:
        header = services.import_header(job)
        mapping = MappingForm(request.POST or None, header=header, initial=job.mapping)
        if request.method == "POST":
            _scope(request, "screening.manage")
            if mapping.is_valid():
                try:
                    services.confirm_import(job=job, mapping=mapping.mapping(), actor=request.user)
                except services.ScreeningError as exc:
                    mapping.add_error(None, exc.message)
                else:
                    return redirect("screening:import", pk=job.pk)
        status = 422 if request.method == "POST" else 200
        context = {"job": job, "mapping": mapping, "header": header}
        return render(request, "screening/import_mapping.html", context, status=status)
    template = "screening/_import_progress.html" if request.GET.get("partial") else None
    return render(request, template or "screening/import_detail.html", {"job": job})
