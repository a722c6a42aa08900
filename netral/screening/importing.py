"""CSV exports of monitoring tools: columns mapped on upload, rows scored and written in bulk.

Rows are read with the csv module, validated and scored in batches, and inserted with one
multi-row ``INSERT`` per batch that skips posts already stored for the election (same
platform, account, URL and text): a file imported twice adds nothing the second time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from netral.rules.models import Election
from netral.screening.models import Post
from netral.screening.services import Scorer, build_posts, known_accounts

FIELDS = ("text", "author", "account", "url", "date", "platform")
# Header spellings recognised without a mapping (compared lower-cased).
GUESSES: dict[str, tuple[str, ...]] = {
    "text": ("text", "teks", "content", "konten", "message", "caption", "full_text", "isi"),
    "author": ("author", "penulis", "name", "nama", "user_name"),
    "account": ("account", "akun", "username", "screen_name", "handle", "user"),
    "url": ("url", "link", "tautan", "permalink"),
    "date": ("date", "tanggal", "created_at", "published", "waktu", "time"),
    "platform": ("platform", "source", "sumber", "media"),
}
BATCH_SIZE = 5000
MAX_TEXT = 10_000


class ImportFileError(Exception):
    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def read_header(head: bytes) -> list[str]:
    """The column names of a CSV file, from its first bytes."""
    text = head.decode("utf-8-sig", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    row = next(csv.reader(io.StringIO(text), dialect), [])
    return [c.strip() for c in row if c.strip()]


def guess_mapping(header: list[str]) -> dict[str, str]:
    lowered = {h.lower(): h for h in header}
    mapping: dict[str, str] = {}
    for name, spellings in GUESSES.items():
        for spelling in spellings:
            if spelling in lowered and lowered[spelling] not in mapping.values():
                mapping[name] = lowered[spelling]
                break
    return mapping


def check_mapping(mapping: Mapping[str, str], header: list[str]) -> dict[str, str]:
    cleaned = {k: v for k, v in mapping.items() if k in FIELDS and v}
    if "text" not in cleaned:
        raise ImportFileError(_("Choose the column that holds the text of the posts."))
    for name, column in cleaned.items():
        if column not in header:
            raise ImportFileError(
                _("The file has no column %(column)s (for %(field)s).")
                % {"column": column, "field": name}
            )
    return cleaned


def parse_when(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value.replace("/", "-"))
        if moment is None:
            day = parse_date(value.replace("/", "-")[:10])
            moment = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


@dataclass
class Counts:
    total: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    flagged: int = 0


def _rows(stream: IO[str], mapping: Mapping[str, str], counts: Counts) -> Iterator[dict[str, Any]]:
    sample = stream.read(64 * 1024)
    stream.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(stream, dialect=dialect)
    if reader.fieldnames is not None:
        reader.fieldnames = [f.strip() for f in reader.fieldnames]
    for record in reader:
        counts.total += 1
        text = (record.get(mapping["text"]) or "").strip()
        if not text or len(text) > MAX_TEXT:
            counts.rejected += 1
            continue
        row: dict[str, Any] = {"text": text}
        for name in ("author", "account", "url", "platform"):
            if name in mapping:
                row[name] = (record.get(mapping[name]) or "").strip()
        if not str(row.get("url", "")).startswith(("http://", "https://")):
            row["url"] = ""
        if "date" in mapping:
            row["posted_at"] = parse_when(record.get(mapping["date"]) or "")
        yield row


def import_posts(
    stream: IO[bytes],
    *,
    election: Election,
    region_id: str | None,
    mapping: Mapping[str, str],
    actor: Any = None,
    import_job_id: int | None = None,
    progress: Callable[[Counts], None] | None = None,
) -> Counts:
    """Import a CSV file of posts; duplicates within the election are skipped."""
    text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    counts = Counts()
    scorer = Scorer(election)
    accounts = known_accounts()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        posts = build_posts(
            election=election,
            region_id=region_id,
            rows=batch,
            source=Post.Source.CSV,
            scorer=scorer,
            accounts=accounts,
            actor=actor,
            import_job_id=import_job_id,
        )
        unique = {p.digest: p for p in posts}
        known = set(
            Post.objects.filter(election=election, digest__in=list(unique)).values_list(
                "digest", flat=True
            )
        )
        fresh = [p for d, p in unique.items() if d not in known]
        Post.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
        counts.imported += len(fresh)
        counts.flagged += sum(1 for p in fresh if p.flagged)
        counts.duplicates += len(posts) - len(fresh)
        batch.clear()
        if progress is not None:
            progress(counts)

    try:
        for row in _rows(text_stream, mapping, counts):
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                flush()
    except csv.Error as exc:
        raise ImportFileError(_("The file is not a readable CSV file: %(e)s") % {"e": exc}) from exc
    if batch:
        flush()
    if progress is not None:
        progress(counts)
    return counts
