"""/api/v1/screening: election profiles, screening without storing, imports, posts, decisions
and the review queue; every list scoped to the caller's jurisdiction, nothing public."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from netral.core.api import (
    ErrorOut,
    InvalidInput,
    clamp_limit,
    decode_cursor,
    encode_cursor,
    keyset_page,
)
from netral.core.scope import Scope, request_scope
from netral.rules.models import Election
from netral.screening import services
from netral.screening.models import Decision, ImportJob, Post
from netral.screening.queries import default_region, visible_imports, visible_posts

router = Router(tags=["screening"])
MAX_SCREEN = 1000


def _scope(request: HttpRequest, capability: str = "screening.view") -> Scope:
    scope = request_scope(request)
    if not scope.can(capability) or (capability != "screening.view" and scope.read_only):
        raise HttpError(403, _("Your role may not do this."))
    return scope


def _election(slug: str, field: str = "election") -> Election:
    election = Election.objects.filter(slug=slug).first()
    if election is None:
        raise InvalidInput(field, _("No election with this slug."))
    return election


def _invalid(exc: services.ScreeningError) -> InvalidInput:
    return InvalidInput(exc.field, exc.message)


def _region(scope: Scope, region: str | None) -> str | None:
    if not region:
        return default_region(scope)
    if not scope.covers_region(region):
        raise InvalidInput("region", _("This region is outside your jurisdiction."))
    return region


# --- Profiles ------------------------------------------------------------------------------


class PairIn(Schema):
    number: int = Field(..., ge=1, le=99)
    names: list[str] = Field(..., min_length=1)
    nicknames: list[str] = []
    hashtags: list[str] = []
    accounts: list[str] = []
    parties: list[str] = []
    slogans: list[str] = []
    programmes: list[str] = []


class ProfileIn(Schema):
    hashtags: list[str] = []
    pairs: list[PairIn] = []


class PairOut(Schema):
    number: int
    names: list[str]
    nicknames: list[str]
    hashtags: list[str]
    accounts: list[str]
    parties: list[str]
    slogans: list[str]
    programmes: list[str]


class ProfileOut(Schema):
    election: str
    version: int
    created_at: datetime
    hashtags: list[str]
    pairs: list[PairOut]


def _profile_out(profile: Any) -> dict[str, Any]:
    return {
        "election": profile.election.slug,
        "version": profile.version,
        "created_at": profile.created_at,
        **profile.data,
    }


@router.get("/profiles/{election}", response={200: ProfileOut, 403: ErrorOut, 404: ErrorOut})
def get_profile(request: HttpRequest, election: str) -> Any:
    """The current version of the election's profile."""
    _scope(request)
    found = Election.objects.filter(slug=election).first()
    profile = services.current_profile(found) if found else None
    if profile is None:
        raise HttpError(404, _("This election has no screening profile yet."))
    return _profile_out(profile)


@router.put(
    "/profiles/{election}", response={200: ProfileOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def put_profile(request: HttpRequest, election: str, payload: ProfileIn) -> Any:
    """Store the election's profile as a new version (an unchanged one keeps its version)."""
    _scope(request, "screening.profile")
    found = Election.objects.filter(slug=election).first()
    if found is None:
        raise HttpError(404, _("No election with this slug."))
    try:
        profile = services.save_profile(
            election=found, data=payload.model_dump(), actor=request.user
        )
    except services.ScreeningError as exc:
        raise _invalid(exc) from exc
    return _profile_out(profile)


# --- Screening without storing ---------------------------------------------------------------


class ScreenPostIn(Schema):
    ref: str = Field(..., max_length=200)
    text: str = Field(..., max_length=10_000)


class ScreenIn(Schema):
    election: str
    posts: list[ScreenPostIn] = Field(..., max_length=MAX_SCREEN)


class CueOut(Schema):
    kind: str
    text: str
    pair: int | None


class NearestOut(Schema):
    post: int
    similarity: float


class ScreenedOut(Schema):
    ref: str
    score: float
    flagged: bool
    cues: list[CueOut]
    nearest: list[NearestOut] = []
    model_score: float | None = None
    profile_version: int
    model_version: int | None = None


class ScreenOut(Schema):
    items: list[ScreenedOut]


@router.post("/screen", response={200: ScreenOut, 403: ErrorOut, 422: ErrorOut})
def screen(request: HttpRequest, payload: ScreenIn) -> Any:
    """Score up to 1,000 posts with the election's profile and model; nothing is stored."""
    scope = _scope(request)
    election = _election(payload.election)
    scorer = services.Scorer(election)
    if scorer.matcher is None:
        raise InvalidInput("election", _("This election has no screening profile yet."))
    scores = scorer.score([p.text for p in payload.posts])
    confirmed: list[Post] | None = None
    explained: dict[int, list[dict[str, Any]]] = {}
    for index, (post, s) in enumerate(zip(payload.posts, scores, strict=True)):
        if s.flagged and not any(c["pair"] for c in s.cues):
            # A flag of the model alone is explained by the confirmed posts it resembles.
            if confirmed is None:
                confirmed = services.confirmed_posts(visible_posts(scope), election.pk)
            explained[index] = [
                {"post": p.pk, "similarity": similarity}
                for p, similarity in services.nearest(post.text, confirmed)
            ]
    return {
        "items": [
            {
                "ref": post.ref,
                "score": s.score,
                "flagged": s.flagged,
                "cues": s.cues,
                "nearest": explained.get(index, []),
                "model_score": s.model_score,
                "profile_version": s.profile_version,
                "model_version": s.model_version,
            }
            for index, (post, s) in enumerate(zip(payload.posts, scores, strict=True))
        ]
    }


# --- Posts ---------------------------------------------------------------------------------


class PostIn(Schema):
    election: str
    text: str = Field(..., min_length=1, max_length=10_000)
    author: str = Field("", max_length=200)
    account: str = Field("", max_length=200)
    url: str = Field("", max_length=1000)
    platform: str = Field("", max_length=40)
    posted_at: datetime | None = None
    region: str | None = None


class PostOut(Schema):
    id: int
    election: str
    region: str | None
    source: str
    text: str
    author: str
    account: str
    url: str
    platform: str
    posted_at: datetime | None
    score: float
    cue_score: float
    model_score: float | None
    flagged: bool
    cues: list[CueOut]
    profile_version: int
    model_version: int | None
    verdict: str
    civil_servant_nip: str | None
    finding: str | None
    report: str | None
    created_at: datetime


def _post_out(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "election": post.election.slug,
        "region": post.region_id,
        "source": post.source,
        "text": post.text,
        "author": post.author,
        "account": post.account,
        "url": post.url,
        "platform": post.platform,
        "posted_at": post.posted_at,
        "score": post.score,
        "cue_score": post.cue_score,
        "model_score": post.model_score,
        "flagged": post.flagged,
        "cues": post.cues,
        "profile_version": post.profile_version,
        "model_version": post.model_version,
        "verdict": post.verdict,
        "civil_servant_nip": post.civil_servant.nip if post.civil_servant else None,
        "finding": post.finding.receipt_code if post.finding else None,
        "report": post.report.receipt_code if post.report else None,
        "created_at": post.created_at,
    }


def _posts(request: HttpRequest) -> QuerySet[Post]:
    return visible_posts(_scope(request)).select_related(
        "election", "civil_servant", "finding", "report"
    )


@router.post("/posts", response={200: PostOut, 201: PostOut, 403: ErrorOut, 422: ErrorOut})
def add_post(request: HttpRequest, payload: PostIn) -> Any:
    """Store a pasted post; the same post sent again answers 200 with the first one."""
    scope = _scope(request, "screening.manage")
    election = _election(payload.election)
    if payload.url and not payload.url.startswith(("http://", "https://")):
        raise InvalidInput("url", _("Give the post's address, starting with https://."))
    try:
        post, created = services.add_post(
            election=election,
            region_id=_region(scope, payload.region),
            text=payload.text,
            author=payload.author,
            account=payload.account,
            url=payload.url,
            platform=payload.platform,
            posted_at=payload.posted_at,
            actor=request.user,
        )
    except services.ScreeningError as exc:
        raise _invalid(exc) from exc
    post = _posts(request).get(pk=post.pk)
    return Status(201 if created else 200, _post_out(post))


@router.get("/posts", response={200: Any, 403: ErrorOut, 422: ErrorOut})
def list_posts(
    request: HttpRequest,
    election: str | None = None,
    verdict: str | None = None,
    flagged: bool | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Any:
    """Posts of the caller's jurisdiction in the order they were stored."""
    queryset = _posts(request)
    if election:
        queryset = queryset.filter(election=_election(election))
    if verdict is not None:
        queryset = queryset.filter(verdict="" if verdict == "none" else verdict)
    if flagged is not None:
        queryset = queryset.filter(flagged=flagged)
    return keyset_page(queryset, key="id", limit=limit, cursor=cursor, serialize=_post_out)


@router.get("/queue", response={200: Any, 403: ErrorOut, 422: ErrorOut})
def queue(
    request: HttpRequest,
    election: str,
    limit: int | None = None,
    cursor: str | None = None,
) -> Any:
    """Posts nobody decided yet, highest score first (the cursor is the last score and id)."""
    queryset = _posts(request).filter(election=_election(election), verdict="")
    size = clamp_limit(limit)
    if cursor:
        last = decode_cursor(cursor)
        if not (isinstance(last, list) and len(last) == 2):
            raise InvalidInput("cursor", _("The cursor is not valid; start again without it."))
        score, pk = last
        queryset = queryset.filter(Q(score__lt=score) | Q(score=score, pk__gt=pk))
    rows = list(queryset.order_by("-score", "pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([rows[-1].score, rows[-1].pk]) if more and rows else None
    return {"items": [_post_out(p) for p in rows], "next_cursor": next_cursor}


@router.get("/posts/{post_id}", response={200: PostOut, 403: ErrorOut, 404: ErrorOut})
def get_post(request: HttpRequest, post_id: int) -> Any:
    return _post_out(get_object_or_404(_posts(request), pk=post_id))


class DecisionIn(Schema):
    verdict: str = Field(..., pattern="^(partisan|not_partisan|unsure)$")
    note: str = Field("", max_length=3000)
    nip: str = Field("", max_length=30)


class DecisionOut(Schema):
    id: int
    post: int
    verdict: str
    note: str
    decided_by: str
    decided_at: datetime


def _decision_out(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "post": decision.post_id,
        "verdict": decision.verdict,
        "note": decision.note,
        "decided_by": decision.decided_by.username,
        "decided_at": decision.decided_at,
    }


@router.post(
    "/posts/{post_id}/decisions",
    response={201: DecisionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def decide(request: HttpRequest, post_id: int, payload: DecisionIn) -> Any:
    """A reviewer's decision: partisan, not partisan or unsure (with a note)."""
    _scope(request, "screening.manage")
    post = get_object_or_404(_posts(request), pk=post_id)
    try:
        decision = services.decide(
            post=post,
            verdict=payload.verdict,
            note=payload.note,
            nip=payload.nip,
            actor=request.user,
        )
    except services.ScreeningError as exc:
        raise _invalid(exc) from exc
    return Status(201, _decision_out(decision))


@router.get("/posts/{post_id}/decisions", response={200: Any, 403: ErrorOut, 404: ErrorOut})
def decisions(
    request: HttpRequest, post_id: int, limit: int | None = None, cursor: str | None = None
) -> Any:
    post = get_object_or_404(_posts(request), pk=post_id)
    queryset = Decision.objects.filter(post=post).select_related("decided_by")
    return keyset_page(queryset, key="id", limit=limit, cursor=cursor, serialize=_decision_out)


class FindingOut(Schema):
    post: int
    finding: str


@router.post(
    "/posts/{post_id}/finding",
    response={200: FindingOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def make_finding(request: HttpRequest, post_id: int) -> Any:
    """Open a Bawaslu finding in intake with the post as evidence (once per post)."""
    scope = _scope(request, "screening.manage")
    if not scope.can("intake.manage"):
        raise HttpError(403, _("Your role may not record findings."))
    post = get_object_or_404(_posts(request), pk=post_id)
    try:
        report = services.make_finding(post=post, actor=request.user)
    except services.ScreeningError as exc:
        raise _invalid(exc) from exc
    return {"post": post.pk, "finding": report.receipt_code}


# --- Imports -------------------------------------------------------------------------------


class ImportOut(Schema):
    id: int
    election: str
    region: str | None
    original_name: str
    sha256: str
    mapping: dict[str, str]
    status: str
    percent: int
    total_rows: int
    processed_rows: int
    imported_rows: int
    duplicate_rows: int
    rejected_rows: int
    flagged_rows: int
    message: str
    created_at: datetime
    finished_at: datetime | None


def _import_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "election": job.election.slug,
        "region": job.region_id,
        "original_name": job.original_name,
        "sha256": job.sha256,
        "mapping": job.mapping,
        "status": job.status,
        "percent": job.percent,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "imported_rows": job.imported_rows,
        "duplicate_rows": job.duplicate_rows,
        "rejected_rows": job.rejected_rows,
        "flagged_rows": job.flagged_rows,
        "message": job.message,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post("/imports", response={202: ImportOut, 403: ErrorOut, 422: ErrorOut})
def start_import(
    request: HttpRequest,
    file: File[UploadedFile],
    election: Form[str],
    mapping: Form[str] = "",
    region: Form[str] = "",
) -> Any:
    """Import a CSV export of a monitoring tool in the background. ``mapping`` is a JSON object
    of field (text, author, account, url, date, platform) to column; guessed when empty."""
    scope = _scope(request, "screening.manage")
    found = _election(election)
    chosen: dict[str, str] | None = None
    if mapping:
        try:
            chosen = json.loads(mapping)
        except ValueError as exc:
            raise InvalidInput("mapping", _("Give the mapping as a JSON object.")) from exc
        if not isinstance(chosen, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in chosen.items()
        ):
            raise InvalidInput("mapping", _("Give the mapping as a JSON object."))
    try:
        job = services.start_import(
            election=found,
            region_id=_region(scope, region or None),
            upload=file,
            mapping=chosen,
            actor=request.user,
        )
    except services.ScreeningError as exc:
        raise _invalid(exc) from exc
    job = ImportJob.objects.select_related("election").get(pk=job.pk)
    return Status(202, _import_out(job))


@router.get("/imports", response={200: Any, 403: ErrorOut, 422: ErrorOut})
def list_imports(request: HttpRequest, limit: int | None = None, cursor: str | None = None) -> Any:
    queryset = visible_imports(_scope(request)).select_related("election")
    return keyset_page(queryset, key="id", limit=limit, cursor=cursor, serialize=_import_out)


@router.get("/imports/{job_id}", response={200: ImportOut, 403: ErrorOut, 404: ErrorOut})
def get_import(request: HttpRequest, job_id: int) -> Any:
    queryset = visible_imports(_scope(request)).select_related("election")
    return _import_out(get_object_or_404(queryset, pk=job_id))
