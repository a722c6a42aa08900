"""State changes of screening: profiles, posts, decisions, findings and the model's versions.

Every change is one call inside ``transaction.atomic()`` that writes its audit entry. Scores
only order the review queue: a person decides every post, and only a person turns one into a
finding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netral.core import audit
from netral.core.inputs import is_id
from netral.registry.models import CivilServant
from netral.rules.models import Election, ViolationType
from netral.screening import learning
from netral.screening.cues import PAIR_LISTS, Matcher, matcher
from netral.screening.models import Account, Decision, Post, Profile, RankingModel, Verdict

MAX_LIST = 200  # entries in one list of a profile
MAX_TEXT = 200  # characters of one entry
MAX_PAIRS = 20
STREAM = "screening"
MAX_IMPORT_BYTES = 200 * 1024 * 1024
RETRAIN_EVERY = 20  # decisions between two trainings of the model
FINDING_VIOLATION = "online-campaign"


class ScreeningError(ValueError):
    """Input that cannot be accepted, naming the field at fault."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def stream_for(region_id: str | None) -> str:
    return f"{STREAM}:{region_id}" if region_id else STREAM


# --- Profiles ------------------------------------------------------------------------------


def _clean_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScreeningError(field, _("Give a list of texts."))
    items: list[str] = []
    for text in value:
        text = " ".join(text.split())
        if len(text) > MAX_TEXT:
            raise ScreeningError(
                field, _("Each entry may have at most %(n)d characters.") % {"n": MAX_TEXT}
            )
        if text and text not in items:
            items.append(text)
    if len(items) > MAX_LIST:
        raise ScreeningError(field, _("At most %(n)d entries.") % {"n": MAX_LIST})
    return items


def clean_profile(data: Mapping[str, Any]) -> dict[str, Any]:
    """The profile as stored: lists trimmed and deduplicated, pairs ordered by number."""
    pairs_in = data.get("pairs") or []
    if not isinstance(pairs_in, list):
        raise ScreeningError("pairs", _("Give a list of candidate pairs."))
    if len(pairs_in) > MAX_PAIRS:
        raise ScreeningError("pairs", _("At most %(n)d pairs.") % {"n": MAX_PAIRS})
    pairs: list[dict[str, Any]] = []
    numbers: set[int] = set()
    for index, pair in enumerate(pairs_in):
        where = f"pairs.{index}"
        if not isinstance(pair, Mapping):
            raise ScreeningError(where, _("Give each pair as an object."))
        number = pair.get("number")
        if isinstance(number, str) and is_id(number.strip()):
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 99:
            raise ScreeningError(
                f"{where}.number", _("The ballot number must be a whole number from 1 to 99.")
            )
        if number in numbers:
            raise ScreeningError(f"{where}.number", _("Two pairs have the same ballot number."))
        numbers.add(number)
        cleaned: dict[str, Any] = {"number": number}
        for name in PAIR_LISTS:
            cleaned[name] = _clean_list(pair.get(name), f"{where}.{name}")
        if not cleaned["names"]:
            raise ScreeningError(f"{where}.names", _("Give at least the pair's full names."))
        pairs.append(cleaned)
    pairs.sort(key=lambda p: p["number"])
    return {"hashtags": _clean_list(data.get("hashtags"), "hashtags"), "pairs": pairs}


def current_profile(election: Election) -> Profile | None:
    return Profile.objects.filter(election=election).order_by("-version").first()


@transaction.atomic
def save_profile(*, election: Election, data: Mapping[str, Any], actor: Any) -> Profile:
    """Store a new version of the election's profile (an unchanged profile keeps its version)."""
    cleaned = clean_profile(data)
    latest = (
        Profile.objects.select_for_update().filter(election=election).order_by("-version").first()
    )
    if latest is not None and latest.data == cleaned:
        return latest
    profile = Profile.objects.create(
        election=election,
        version=(latest.version + 1) if latest else 1,
        data=cleaned,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        action="screening.profile.save",
        actor=profile.created_by,
        obj=profile,
        before={"version": latest.version} if latest else None,
        after={
            "election": election.slug,
            "version": profile.version,
            "pairs": [p["number"] for p in cleaned["pairs"]],
            "entries": sum(len(p[k]) for p in cleaned["pairs"] for k in PAIR_LISTS),
        },
        stream=STREAM,
    )
    from netral.screening.tasks import rescore_election

    transaction.on_commit(lambda: rescore_election.enqueue(election.pk))
    return profile


def matcher_for(election: Election) -> Matcher | None:
    profile = current_profile(election)
    if profile is None:
        return None
    return matcher(election.pk, profile.version, profile.data)


# --- Scoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    score: float
    cue_score: float
    flagged: bool
    cues: list[dict[str, Any]]
    model_score: float | None
    profile_version: int
    model_version: int | None


_models: dict[tuple[int, int], Any] = {}


def current_model(election: Election) -> RankingModel | None:
    return (
        RankingModel.objects.filter(election=election).defer("weights").order_by("-version").first()
    )


def _weights(model: RankingModel) -> Any:
    key = (model.election_id, model.version)
    if key not in _models:
        blob = RankingModel.objects.filter(pk=model.pk).values_list("weights", flat=True).get()
        if len(_models) > 32:
            _models.clear()
        _models[key] = learning.from_bytes(bytes(blob))
    return _models[key]


class Scorer:
    """Scores texts with one profile version and one model version."""

    def __init__(self, election: Election) -> None:
        self.matcher = matcher_for(election)
        self.model = current_model(election)
        self.weights = _weights(self.model) if self.model is not None else None

    @property
    def profile_version(self) -> int:
        return self.matcher.version if self.matcher else 0

    def score(self, texts: Sequence[str]) -> list[Scored]:
        screened = [self.matcher.screen(t) for t in texts] if self.matcher else []
        probabilities: Sequence[float] | None = None
        if self.model is not None and self.weights is not None and texts:
            probabilities = list(learning.probabilities(texts, self.weights, self.model.intercept))
        out: list[Scored] = []
        for index, _text in enumerate(texts):
            cue_score, cue_flag, cues = 0.0, False, []
            if screened:
                hit = screened[index]
                cue_score, cue_flag, cues = hit.score, hit.flagged, [c.as_dict() for c in hit.cues]
            probability = float(probabilities[index]) if probabilities is not None else None
            model_flag = (
                probability is not None
                and self.model is not None
                and probability >= self.model.threshold
            )
            score = cue_score + (learning.MODEL_WEIGHT * probability if probability else 0.0)
            out.append(
                Scored(
                    score=round(score, 4),
                    cue_score=cue_score,
                    # The model adds flags; it never removes the cue layer's.
                    flagged=cue_flag or model_flag,
                    cues=cues,
                    model_score=None if probability is None else round(probability, 4),
                    profile_version=self.profile_version,
                    model_version=self.model.version if self.model else None,
                )
            )
        return out


def confirmed_posts(posts: Any, election_id: int, exclude: int | None = None) -> list[Post]:
    """The latest confirmed partisan posts of an election among ``posts`` (a scoped queryset)."""
    queryset = posts.filter(election_id=election_id, verdict=Verdict.PARTISAN)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    return list(queryset.order_by("-pk").only("pk", "text")[:2000])


def nearest(text: str, confirmed: Sequence[Post], limit: int = 3) -> list[tuple[Post, float]]:
    """The confirmed posts most like ``text`` (what explains a flag the model alone raised)."""
    similarity = learning.similarities(text, [p.text for p in confirmed])
    ranked = sorted(zip(confirmed, similarity, strict=True), key=lambda x: -x[1])
    return [(p, round(s, 3)) for p, s in ranked[:limit] if s > 0]


def nearest_confirmed(post: Post, limit: int = 3) -> list[tuple[Post, float]]:
    """The confirmed partisan posts of the same region most like this one."""
    posts = Post.objects.filter(region_id=post.region_id)
    return nearest(post.text, confirmed_posts(posts, post.election_id, post.pk), limit)


# --- Posts ---------------------------------------------------------------------------------


def post_digest(*, platform: str, account: str, url: str, text: str) -> str:
    key = "\n".join((platform.strip().lower(), account.strip().lower(), url.strip(), text.strip()))
    return hashlib.sha256(key.encode()).hexdigest()


def known_accounts() -> dict[tuple[str, str], int]:
    return {
        (platform, handle): servant
        for platform, handle, servant in Account.objects.values_list(
            "platform", "handle", "civil_servant_id"
        )
    }


def _servant_for(
    accounts: Mapping[tuple[str, str], int], platform: str, account: str
) -> int | None:
    handle = account.strip().lstrip("@").lower()
    if not handle:
        return None
    return accounts.get((platform.strip().lower(), handle)) or accounts.get(("", handle))


def build_posts(
    *,
    election: Election,
    region_id: str | None,
    rows: Iterable[Mapping[str, Any]],
    source: str,
    scorer: Scorer,
    accounts: Mapping[tuple[str, str], int],
    actor: Any = None,
    import_job_id: int | None = None,
) -> list[Post]:
    """Unsaved posts with their scores (rows: text, author, account, url, platform, posted_at)."""
    rows = list(rows)
    scores = scorer.score([r["text"] for r in rows])
    posts = []
    for row, scored in zip(rows, scores, strict=True):
        platform = str(row.get("platform") or "")[:40]
        account = str(row.get("account") or "")[:200]
        url = str(row.get("url") or "")[:1000]
        posts.append(
            Post(
                election=election,
                region_id=region_id,
                source=source,
                import_job_id=import_job_id,
                digest=post_digest(platform=platform, account=account, url=url, text=row["text"]),
                text=row["text"],
                author=str(row.get("author") or "")[:200],
                account=account,
                url=url,
                platform=platform,
                posted_at=row.get("posted_at"),
                cue_score=scored.cue_score,
                model_score=scored.model_score,
                score=scored.score,
                flagged=scored.flagged,
                cues=scored.cues,
                profile_version=scored.profile_version,
                model_version=scored.model_version,
                civil_servant_id=_servant_for(accounts, platform, account),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
    return posts


@transaction.atomic
def add_post(
    *,
    election: Election,
    region_id: str | None,
    text: str,
    actor: Any,
    source: str = Post.Source.PASTED,
    author: str = "",
    account: str = "",
    url: str = "",
    platform: str = "",
    posted_at: datetime | None = None,
    screenshot: bytes | None = None,
    screenshot_name: str = "",
) -> tuple[Post, bool]:
    """Store one post (pasted or read from a screenshot); the same post again is not doubled."""
    text = text.strip()
    if not text:
        raise ScreeningError("text", _("The post has no text."))
    row = {
        "text": text,
        "author": author,
        "account": account,
        "url": url,
        "platform": platform,
        "posted_at": posted_at,
    }
    post = build_posts(
        election=election,
        region_id=region_id,
        rows=[row],
        source=source,
        scorer=Scorer(election),
        accounts=known_accounts(),
        actor=actor,
    )[0]
    existing = Post.objects.filter(election=election, digest=post.digest).first()
    if existing is not None:
        return existing, False
    if screenshot is not None:
        post.screenshot_sha256 = hashlib.sha256(screenshot).hexdigest()
        post.screenshot.save(
            f"{post.screenshot_sha256[:16]}-{screenshot_name[-60:] or 'screenshot'}",
            ContentFile(screenshot),
            save=False,
        )
    post.save()
    audit.record(
        action="screening.post.add",
        actor=actor,
        obj=post,
        after={
            "source": post.source,
            "election": election.slug,
            "flagged": post.flagged,
            "screenshot_sha256": post.screenshot_sha256,
        },
        stream=stream_for(region_id),
    )
    return post, True


# --- Decisions and findings -----------------------------------------------------------------


@transaction.atomic
def decide(*, post: Post, verdict: str, note: str, actor: Any, nip: str = "") -> Decision:
    """Record a reviewer's decision; a NIP links the post's account to a civil servant."""
    if verdict not in Verdict.values:
        raise ScreeningError("verdict", _("Choose partisan, not partisan or unsure."))
    note = note.strip()
    if verdict == Verdict.UNSURE and not note:
        raise ScreeningError("note", _("Say what makes you unsure, for the next reviewer."))
    servant: CivilServant | None = None
    nip = nip.strip().replace(" ", "")
    if nip:
        servant = CivilServant.objects.filter(nip=nip).first()
        if servant is None:
            raise ScreeningError("nip", _("No civil servant with this NIP in the registry."))
    post = Post.objects.select_for_update().get(pk=post.pk)
    before = {"verdict": post.verdict, "civil_servant": post.civil_servant_id}
    decision = Decision.objects.create(post=post, verdict=verdict, note=note, decided_by=actor)
    post.verdict = verdict
    fields = ["verdict"]
    if servant is not None:
        post.civil_servant = servant
        fields.append("civil_servant")
        handle = post.account.strip().lstrip("@").lower()
        if handle:
            Account.objects.update_or_create(
                platform=post.platform.strip().lower(),
                handle=handle,
                defaults={"civil_servant": servant, "recorded_by": actor},
            )
    post.save(update_fields=fields)
    audit.record(
        action="screening.post.decide",
        actor=actor,
        obj=post,
        before=before,
        after={"verdict": verdict, "civil_servant": post.civil_servant_id},
        reason=note,
        stream=stream_for(post.region_id),
    )
    decided = Decision.objects.filter(post__election_id=post.election_id).count()
    if decided % RETRAIN_EVERY == 0:
        from netral.screening.tasks import retrain_election

        election_id = post.election_id
        transaction.on_commit(lambda: retrain_election.enqueue(election_id))
    return decision


def make_finding(*, post: Post, actor: Any) -> Any:
    """Open a Bawaslu finding (temuan) in intake with the post as evidence; retried, the same."""
    from netral.intake.evidence import EvidenceRejected, store_upload
    from netral.intake.services import submit_report

    if post.verdict != Verdict.PARTISAN:
        raise ScreeningError("verdict", _("Decide that the post is partisan first."))
    if post.finding_id is not None:
        return post.finding
    upload_token = f"screening-post-{post.pk}"
    if post.screenshot:
        with post.screenshot.open("rb") as stored:
            data = stored.read()
        try:
            store_upload(
                SimpleUploadedFile(post.screenshot.name.rsplit("/", 1)[-1], data),
                upload_token=upload_token,
            )
        except EvidenceRejected as exc:
            raise ScreeningError("screenshot", str(exc.message)) from exc
    today = timezone.localdate()
    act_date = timezone.localtime(post.posted_at).date() if post.posted_at else today
    servant = post.civil_servant
    text_hash = hashlib.sha256(post.text.encode()).hexdigest()
    description = "\n".join(
        line
        for line in (
            _("Post found by screening social media (post %(id)s).") % {"id": post.pk},
            f"{_('Platform')}: {post.platform}" if post.platform else "",
            f"{_('Account')}: {post.account}" if post.account else "",
            f"{_('Author')}: {post.author}" if post.author else "",
            f"URL: {post.url}" if post.url else "",
            f"{_('Text')}:",
            post.text,
            f"SHA-256 ({_('text')}): {text_hash}",
            f"SHA-256 ({_('screenshot')}): {post.screenshot_sha256}"
            if post.screenshot_sha256
            else "",
            f"{_('Screening')}: /penapisan/{post.pk}/",
        )
        if line
    )
    fields = {
        "kind": "finding",
        "election": post.election,
        "violation_type": ViolationType.objects.filter(code=FINDING_VIOLATION).first(),
        "accused_name": (servant.name if servant else "")
        or post.author
        or post.account
        or _("Unknown account holder"),
        "accused_nip": servant.nip if servant else "",
        "accused_agency": servant.agency if servant else None,
        "accused": servant,
        "act_region_id": post.region_id,
        "act_place": post.platform or post.url[:300],
        "act_date": min(act_date, today),
        "learned_date": today,
        "description": description,
    }
    with transaction.atomic():
        result = submit_report(
            fields=fields,
            identity=None,
            links=[post.url] if post.url else [],
            upload_tokens=[upload_token],
            idempotency_key=upload_token,
            actor=actor,
        )
        report = result.report
        Post.objects.filter(pk=post.pk).update(finding=report)
        post.finding = report
        audit.record(
            action="screening.post.finding",
            actor=actor,
            obj=post,
            after={"finding": report.receipt_code, "text_sha256": text_hash},
            stream=stream_for(post.region_id),
        )
    return report


# --- Model ---------------------------------------------------------------------------------


@transaction.atomic
def store_model(
    *, election: Election, trained: learning.Trained, counts: Mapping[str, int]
) -> RankingModel:
    latest = RankingModel.objects.filter(election=election).order_by("-version").first()
    model = RankingModel.objects.create(
        election=election,
        version=(latest.version + 1) if latest else 1,
        weights=learning.to_bytes(trained.weights),
        intercept=trained.intercept,
        threshold=trained.threshold,
        positives=counts["positives"],
        negatives=counts["negatives"],
        presumed_negatives=counts["presumed"],
        seconds=trained.seconds,
    )
    audit.record(
        action="screening.model.train",
        obj=model,
        after={"election": election.slug, "version": model.version, **counts},
        stream=STREAM,
    )
    return model


def retrain(election: Election) -> RankingModel | None:
    """Train a new model version from the election's decisions (None: too few decisions)."""
    posts = Post.objects.filter(election=election)
    positives = list(posts.filter(verdict=Verdict.PARTISAN).values_list("text", flat=True))
    negatives = list(posts.filter(verdict=Verdict.NOT_PARTISAN).values_list("text", flat=True))
    presumed = list(
        posts.filter(verdict="", flagged=False)
        .order_by("?")
        .values_list("text", flat=True)[: learning.PRESUMED_NEGATIVES]
    )
    trained = learning.train(positives, negatives, presumed)
    if trained is None:
        return None
    counts = {"positives": len(positives), "negatives": len(negatives), "presumed": len(presumed)}
    return store_model(election=election, trained=trained, counts=counts)


def rescore(election: Election, batch: int = 5000) -> int:
    """Score every post of the election again with the current profile and model."""
    scorer = Scorer(election)
    done = 0
    last = 0
    while True:
        rows = list(
            Post.objects.filter(election=election, pk__gt=last)
            .order_by("pk")
            .only("pk", "text")[:batch]
        )
        if not rows:
            return done
        for post, scored in zip(rows, scorer.score([p.text for p in rows]), strict=True):
            post.cue_score = scored.cue_score
            post.model_score = scored.model_score
            post.score = scored.score
            post.flagged = scored.flagged
            post.cues = scored.cues
            post.profile_version = scored.profile_version
            post.model_version = scored.model_version
        Post.objects.bulk_update(
            rows,
            [
                "cue_score",
                "model_score",
                "score",
                "flagged",
                "cues",
                "profile_version",
                "model_version",
            ],
        )
        done += len(rows)
        last = rows[-1].pk


# --- Imports -------------------------------------------------------------------------------


def start_import(
    *,
    election: Election,
    region_id: str | None,
    upload: Any,
    mapping: Mapping[str, str] | None,
    actor: Any,
    queue: bool = True,
) -> Any:
    """Store an uploaded CSV file and queue its import (columns guessed when not mapped);
    with ``queue=False`` the job waits for ``confirm_import`` with the officer's mapping."""
    from django.utils import translation

    from netral.screening.importing import guess_mapping, read_header
    from netral.screening.models import ImportJob

    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        raise ScreeningError("file", _("The file is larger than 200 MB."))
    digest = hashlib.sha256()
    head = b""
    for chunk in upload.chunks(64 * 1024):
        if len(head) < 64 * 1024:
            head += chunk[: 64 * 1024 - len(head)]
        digest.update(chunk)
    if not head.strip():
        raise ScreeningError("file", _("The file is empty."))
    if b"\0" in head:
        raise ScreeningError("file", _("Send a CSV file (text, comma or semicolon separated)."))
    header = read_header(head)
    if not header:
        raise ScreeningError("file", _("The file has no header row."))
    chosen = dict(mapping) if mapping else guess_mapping(header)
    if queue:
        _check(chosen, header)
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(
            election=election,
            region_id=region_id,
            created_by=actor,
            language=translation.get_language() or "id",
            original_name=(upload.name or "posts.csv")[-255:],
            sha256=digest.hexdigest(),
            mapping=chosen,
            status=ImportJob.Status.QUEUED if queue else ImportJob.Status.MAPPING,
        )
        job.source.save(f"{job.sha256[:16]}.csv", upload, save=False)
        job.save()
        audit.record(
            action="screening.import.upload",
            actor=actor,
            obj=job,
            after={"sha256": job.sha256, "election": election.slug, "mapping": chosen},
            stream=stream_for(region_id),
        )
        if queue:
            _enqueue(job.pk)
    return job


def _check(mapping: Mapping[str, str], header: list[str]) -> dict[str, str]:
    from netral.screening.importing import ImportFileError, check_mapping

    try:
        return check_mapping(mapping, header)
    except ImportFileError as exc:
        raise ScreeningError("mapping", str(exc.message)) from exc


def _enqueue(job_id: int) -> None:
    from netral.screening.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job_id))


def import_header(job: Any) -> list[str]:
    from netral.screening.importing import read_header

    with job.source.open("rb") as stored:
        return read_header(stored.read(64 * 1024))


@transaction.atomic
def confirm_import(*, job: Any, mapping: Mapping[str, str], actor: Any) -> Any:
    """Queue a staged import with the columns the officer chose."""
    from netral.screening.models import ImportJob

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.MAPPING:
        return job  # already confirmed (a double click)
    job.mapping = _check(mapping, import_header(job))
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["mapping", "status"])
    audit.record(
        action="screening.import.start",
        actor=actor,
        obj=job,
        after={"mapping": job.mapping},
        stream=stream_for(job.region_id),
    )
    _enqueue(job.pk)
    return job
