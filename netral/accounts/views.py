from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from netral.accounts.forms import ApiTokenForm, OTPTokenForm
from netral.accounts.models import ApiToken, Membership, User
from netral.accounts.queries import custodian_memberships
from netral.accounts.services import (
    AppointmentRefused,
    appoint_custodian,
    confirm_totp_device,
    create_api_token,
    dismiss_custodian,
    pending_totp_device,
    revoke_api_token,
)
from netral.core import audit
from netral.core.menu import gated
from netral.core.scope import require
from netral.registry.models import Office


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        return f"{reverse('accounts:otp')}?next={self.get_redirect_url() or reverse('work')}"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("work")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return reverse("work")
    return target


def _throttled(user: User) -> bool:
    """True when django-otp refuses codes for a while after repeated wrong ones."""
    devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    return any(not device.verify_is_allowed()[0] for device in devices)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(_safe_next(request))
    if not user_has_device(user, confirmed=True):
        return redirect(f"{reverse('accounts:otp_enrol')}?next={_safe_next(request)}")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        was_throttled = _throttled(user)
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit.record(action="login", actor=user, obj=user, stream="accounts")
            return HttpResponseRedirect(_safe_next(request))
        if was_throttled:
            message = _("Too many wrong codes in a row. Wait a few seconds, then try again.")
            form.add_error("token", message)
        else:
            form.add_error(
                "token", _("This code is not valid or has expired. Try the current one.")
            )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user_has_device(user, confirmed=True):
        return redirect(f"{reverse('accounts:otp')}?next={_safe_next(request)}")
    device = pending_totp_device(user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            confirm_totp_device(user=user, device=device)
            otp_login(request, device)
            messages.success(request, _("Two-step verification is on."))
            return HttpResponseRedirect(_safe_next(request))
        form.add_error("token", _("This code does not match. Check the clock of your phone."))
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    context: dict[str, Any] = {
        "form": form,
        "qr": qr,
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "next": _safe_next(request),
    }
    return render(request, "accounts/otp_enrol.html", context)


@login_required
@gated()
def api_tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        expires = timezone.now() + timedelta(days=form.cleaned_data["expires_in_days"])
        _token, new_token = create_api_token(
            user=user, name=form.cleaned_data["name"], expires_at=expires
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")[:100]
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = get_object_or_404(ApiToken, pk=pk, user=user)
    revoke_api_token(token=token, actor=user, reason=_("Revoked by its owner"))
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:tokens")


@login_required
@gated("accounts.custodians")
def custodians(request: HttpRequest) -> HttpResponse:
    """Bawaslu offices and their identity custodians; an administrator appoints and dismisses
    them here (each change audited). Appointing reveals nothing to the appointer."""
    scope = require(request, "accounts.custodians")
    actor: User = request.user  # type: ignore[assignment]
    error = ""
    if request.method == "POST":
        reason = str(request.POST.get("reason", "")).strip()[:1000]
        try:
            if request.POST.get("action") == "dismiss":
                membership = get_object_or_404(
                    Membership, pk=str(request.POST.get("membership", "0"))[:20] or 0
                )
                dismiss_custodian(membership=membership, actor=actor, reason=reason)
                messages.success(request, _("The custodian is dismissed."))
            else:
                office = Office.objects.filter(
                    code=str(request.POST.get("office", "")).strip()[:40]
                ).first()
                user = User.objects.filter(
                    username=str(request.POST.get("username", "")).strip()[:150]
                ).first()
                if office is None or not scope.covers_region(office.region_id or ""):
                    raise AppointmentRefused(_("There is no such office in your jurisdiction."))
                if user is None:
                    raise AppointmentRefused(_("There is no account with this user name."))
                appoint_custodian(office=office, user=user, actor=actor, reason=reason)
                messages.success(
                    request,
                    _("%(user)s is now the identity custodian of %(office)s.")
                    % {"user": user, "office": office},
                )
            return redirect(request.get_full_path())
        except AppointmentRefused as exc:
            error = str(exc)
    offices = scope.filter(Office.objects.filter(kind=Office.Kind.BAWASLU)).order_by("code")
    query = str(request.GET.get("q", "")).strip()[:60]
    if query:
        offices = offices.filter(Q(code__icontains=query) | Q(name__icontains=query))
    page = Paginator(offices, 50).get_page(request.GET.get("page"))
    office_list = list(page.object_list)
    held = custodian_memberships([o.pk for o in office_list])
    context = {
        "page": page,
        "rows": [(office, held.get(office.pk, [])) for office in office_list],
        "query": query,
        "error": error,
        "form": request.POST if error else {},
    }
    return render(request, "accounts/custodians.html", context, status=422 if error else 200)
