"""The weekly summary per office: a PDF of the office's figures, e-mailed to its head.

The worker runs this hourly; each office gets one summary per ISO week (``WeeklySummary`` is
unique per office and week), from Monday on, so a second run or a second worker sends nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from netral.core.scope import Scope
from netral.insights.models import WeeklySummary
from netral.insights.queries import SummaryFilter, summary
from netral.registry.models import Office


def office_scope(office: Office) -> Scope:
    caps = frozenset({"cases.view", "intake.view"})
    if office.kind == Office.Kind.PERSONNEL and office.agency_id:
        return Scope(agency_ids=frozenset({office.agency_id}), capabilities=caps)
    if office.region_id:
        return Scope(region_codes=frozenset({office.region_id}), capabilities=caps)
    return Scope(national=True, capabilities=caps)


def render_summary(office: Office, start: date, end: date) -> bytes:
    from weasyprint import HTML

    scope = office_scope(office)
    week = summary(scope, SummaryFilter(start=start, end=end))
    overall = summary(scope, SummaryFilter())
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "insights/weekly_pdf.html",
            {"office": office, "start": start, "end": end, "week": week, "overall": overall},
        )
    return bytes(HTML(string=html).write_pdf())


def send_weekly(today: date | None = None) -> int:
    today = today or timezone.localdate()
    year, week, _weekday = today.isocalendar()
    start = today - timedelta(days=today.weekday() + 7)  # last week's Monday
    end = start + timedelta(days=6)
    sent = 0
    for office in Office.objects.filter(head__isnull=False).select_related("head"):
        try:
            with transaction.atomic():
                row = WeeklySummary.objects.create(office=office, year=year, week=week)
        except IntegrityError:
            continue  # this week's summary of this office exists already
        pdf = render_summary(office, start, end)
        row.sha256 = hashlib.sha256(pdf).hexdigest()
        row.document.save(f"ringkasan-{office.code}-{year}-W{week:02d}.pdf", ContentFile(pdf))
        if office.head and office.head.email:
            message = EmailMessage(
                subject=f"[Netral] Ringkasan mingguan {office.name} {year}-W{week:02d}",
                body=f"Ringkasan perkara {office.name}, {start:%Y-%m-%d} s.d. {end:%Y-%m-%d}.",
                to=[office.head.email],
            )
            message.attach(f"ringkasan-{year}-W{week:02d}.pdf", pdf, "application/pdf")
            message.send()
            row.emailed_at = timezone.now()
            row.save(update_fields=["emailed_at"])
            sent += 1
    return sent
