from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from netral.core import checkpoints
from netral.core.inputs import is_id
from netral.core.menu import gated
from netral.core.models import WorkerHeartbeat
from netral.core.routing import REPLICA, replica_configured


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Database reachable and a worker seen recently: 200; otherwise 503 with the reason."""
    checks: dict[str, dict[str, object]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any database failure makes the service unhealthy
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    worker_ok = False
    last_seen = None
    if checks["database"]["ok"]:
        beat = WorkerHeartbeat.objects.filter(name="default").first()
        if beat is not None:
            last_seen = beat.last_seen.isoformat()
            stale = timedelta(seconds=settings.NETRAL_WORKER_STALE_SECONDS)
            worker_ok = timezone.now() - beat.last_seen <= stale
    checks["worker"] = {"ok": worker_ok, "last_seen": last_seen}
    healthy = all(bool(c["ok"]) for c in checks.values())
    if replica_configured():
        # Shown, not counted: every node shares the replica, and a load balancer taking them all
        # out because dashboards lag would also take away the forms.
        checks["replica"] = replica_health()
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )


def replica_health() -> dict[str, object]:
    """Whether the replica answers, and how far its replay is behind the primary's last
    transaction it has received (0 when it has replayed everything it received)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            row = cursor.fetchone()
    except Exception as exc:  # a replica that does not answer is reported, never raised
        return {"ok": False, "error": exc.__class__.__name__}
    lag = float(row[0]) if row and row[0] is not None else None
    return {"ok": True, "lag_seconds": lag}


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@login_required
@require_http_methods(["GET", "POST"])
@gated()
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first (50 a page, keyset); POST marks all as read."""
    from netral.core.models import Notification

    mine = Notification.objects.filter(user_id=int(request.user.pk or 0))
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("core:notifications")
    before = request.GET.get("before", "")
    page = mine.filter(pk__lt=int(before)) if is_id(before) else mine
    rows = list(page.order_by("-id")[:51])
    context = {
        "rows": rows[:50],
        "next_before": rows[49].pk if len(rows) > 50 else None,
    }
    return render(request, "core/notifications.html", context)


def audit_checkpoints(request: HttpRequest) -> HttpResponse:
    """Public: the signed head of every audit chain and the key that verifies them, so that
    anyone can archive them and later show that the trail was not rewritten."""
    document = checkpoints.published_document()
    page = Paginator(document["checkpoints"], 100).get_page(request.GET.get("page"))
    context = {"document": document, "page": page, "every": settings.NETRAL_AUDIT_CHECKPOINT_EVERY}
    response = render(request, "core/audit_checkpoints.html", context)
    patch_cache_control(response, public=True, max_age=60)
    return response


def audit_checkpoints_file(request: HttpRequest) -> HttpResponse:
    document = checkpoints.published_document()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response = HttpResponse(
        json.dumps(document, indent=1, sort_keys=True), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="netral-audit-{stamp}.json"'
    patch_cache_control(response, public=True, max_age=60)
    return response
