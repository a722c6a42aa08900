from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date

from netral.cases.models import Holder, State
from netral.core.menu import gated
from netral.core.routing import may_read_replica
from netral.core.scope import require
from netral.insights.queries import SummaryFilter, summary
from netral.insights.work import work_for
from netral.intake.models import Report
from netral.regions.models import Region
from netral.rules.models import Election, Sanction, ViolationType


def _day(value: str) -> date | None:
    try:
        return parse_date(value[:10])
    except ValueError:
        return None


def summary_filter(get: Any) -> SummaryFilter:
    slug = str(get.get("election", ""))[:60]
    election = Election.objects.filter(slug=slug).first() if slug else None
    return SummaryFilter(
        election=election,
        region=str(get.get("region", ""))[:13],
        start=_day(str(get.get("from", ""))),
        end=_day(str(get.get("to", ""))),
    )


@login_required
@gated("cases.view")
@may_read_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    """The role's dashboard: every figure links to the list behind it."""
    scope = require(request, "cases.view")
    f = summary_filter(request.GET)
    data = summary(scope, f)
    base = f.query()
    cases_url = reverse("cases:list")

    def link(**extra: str) -> str:
        return f"{cases_url}?{urlencode({**base, **extra})}"

    c = data["cases"]
    regions = dict(Region.objects.filter(code__in=list(c["by_region"])).values_list("code", "name"))
    violation_names = {v.code: v.text("name") for v in ViolationType.objects.all()}
    levels = dict(Sanction.Level.choices)
    region_param = "region"
    charts = {
        "state": [
            (str(State(k).label), n, link(state=k))
            for k, n in sorted(c["by_state"].items(), key=lambda kv: State.values.index(kv[0]))
        ],
        "region": [
            (regions.get(k, k or "-"), n, link(**{region_param: k}))
            for k, n in sorted(c["by_region"].items(), key=lambda kv: -kv[1])
        ],
        "violation": [
            (violation_names.get(k, k), n, link(violation=k))
            for k, n in sorted(c["by_violation"].items(), key=lambda kv: -kv[1])
        ],
        "month": [(k, n, link(**_month_range(k))) for k, n in c["by_month"].items()],
        "imposed": [
            (str(levels.get(k, k)), n, link(imposed=k))
            for k, n in sorted(c["sanctions_imposed"].items())
        ],
        "recommended": [
            (str(levels.get(k, k)), n, link(recommended=k))
            for k, n in sorted(c["sanctions_recommended"].items())
        ],
        "overdue": [
            (str(Holder(k).label), n, link(overdue="1", holder=k)) for k, n in c["overdue"].items()
        ],
    }
    report_states = dict(Report.Status.choices)
    report_base = {"election": f.election.slug} if f.election else {}
    report_chart = [
        (
            str(report_states.get(k, k)),
            n,
            f"{reverse('reports:list')}?{urlencode({**report_base, 'status': k})}",
        )
        for k, n in data["reports"]["by_status"].items()
    ]
    context = {
        "f": f,
        "data": data,
        "charts": charts,
        "report_chart": report_chart,
        "elections": Election.objects.order_by("-voting_day"),
        "links": {
            "all": link(),
            "social": link(social="1"),
            "proven": link(proven="1"),
            "overdue": link(overdue="1"),
        },
        "overdue_total": sum(c["overdue"].values()),
        "follow_up_url": reverse("cases:follow_up"),
    }
    return render(request, "insights/dashboard.html", context)


def _month_range(month: str) -> dict[str, str]:
    year, number = (int(part) for part in month.split("-"))
    end = date(year + (number == 12), number % 12 + 1, 1)
    from datetime import timedelta

    return {"from": f"{month}-01", "to": (end - timedelta(days=1)).isoformat()}


@may_read_replica
def transparency(request: HttpRequest) -> HttpResponse:
    """Public: suppressed aggregates per election, by area and violation type; no names."""
    from netral.insights.public import statistics

    elections = list(Election.objects.order_by("-voting_day"))
    slug = request.GET.get("election", "")
    election = next((e for e in elections if e.slug == slug), elections[0] if elections else None)
    region = request.GET.get("region", "")[:2]
    region_row = Region.objects.filter(code=region, level=1).first() if region else None
    tables = statistics(election, region_row.code if region_row else "") if election else []
    context = {
        "elections": elections,
        "election": election,
        "region": region_row,
        "provinces": Region.objects.filter(level=1).order_by("code"),
        "tables": tables,
    }
    return render(request, "insights/transparency.html", context)


@may_read_replica
def transparency_csv(request: HttpRequest) -> HttpResponse:
    """The same suppressed tables as CSV."""
    from netral.core.sheets import SafeCsvWriter
    from netral.insights.public import OUTCOMES, statistics

    election = Election.objects.filter(slug=request.GET.get("election", "")).first()
    if election is None:
        election = Election.objects.order_by("-voting_day").first()
    region = request.GET.get("region", "")[:2]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"transparansi-{election.slug if election else 'kosong'}{'-' + region if region else ''}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["table", "key", "label", *[str(label) for _k, label, _q in OUTCOMES], "total"])
    for table in statistics(election, region) if election else []:
        for record in table.as_records():
            writer.writerow([str(table.title), *record.values()])
    return response


@login_required
@gated()
def work(request: HttpRequest) -> HttpResponse:
    """The officer's home after signing in: the items whose move is theirs, due date first; an
    auditor (who makes no moves) lands on the dashboard."""
    mine = work_for(request)
    if mine.dashboard_only:
        return redirect("insights:dashboard")
    return render(request, "insights/work.html", {"work": mine})
