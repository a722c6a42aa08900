"""The evidence of reports arriving in intake, screened on arrival to help triage.

Intake announces each new report (``intake.report.submitted``); the worker screens its text
and reads its screenshots by OCR, and stores them as posts of the report's region, linked to the
report. Intake never learns of screening: the officer finds the posts in the review queue.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django_tasks import task

from netral.intake.events import ReportSubmitted
from netral.screening.ocr import ACCEPTED, ScreenshotRejected, read_text

logger = logging.getLogger(__name__)
MAX_IMAGES = 5


def on_report_submitted(submitted: ReportSubmitted) -> None:
    screen_report_evidence.enqueue(submitted.report_id)


@task()
def screen_report_evidence(report_id: int) -> int:
    """Store the report's description and readable screenshots as posts; returns how many."""
    from netral.intake.models import Report
    from netral.screening import services
    from netral.screening.models import Post

    report = Report.objects.select_related("election").filter(pk=report_id).first()
    if report is None or report.election is None or report.kind != Report.Kind.REPORT:
        return 0  # findings were already judged by the officer who made them
    link = report.links.values_list("url", flat=True).first() or ""
    items: list[tuple[str, bytes | None, str]] = [(report.description, None, "")]
    images = report.evidence.filter(content_type__in=sorted(ACCEPTED)).order_by("pk")
    for item in images[:MAX_IMAGES]:
        stored = item.working or item.original
        with stored.open("rb") as f:
            data = f.read()
        try:
            items.append((read_text(data), data, item.original_name))
        except ScreenshotRejected:
            continue  # a photo without text: nothing to screen
    stored_posts = 0
    for text, image, name in items:
        if not text.strip():
            continue
        try:
            with transaction.atomic():
                post, created = services.add_post(
                    election=report.election,
                    region_id=report.region_id,
                    text=text,
                    url=link,
                    source=Post.Source.EVIDENCE,
                    screenshot=image,
                    screenshot_name=name,
                    actor=None,
                )
                if created:
                    Post.objects.filter(pk=post.pk).update(report=report)
                    stored_posts += 1
        except IntegrityError:  # the same post stored by a concurrent run
            continue
    return stored_posts
