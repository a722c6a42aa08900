"""The one HTTP API: every app's router mounted under /api/v1/, OpenAPI at /api/openapi.json."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from netral.accounts.auth import TokenAuth, VerifiedSessionAuth
from netral.cases.api import cases_router
from netral.cases.api import router as registration_router
from netral.commitments.api import router as commitments_router
from netral.core.api import ApiError, InvalidInput
from netral.insights.api import exports_router, public_router
from netral.insights.api import router as insights_router
from netral.intake.api import FieldErrors
from netral.intake.api import router as reports_router
from netral.regions.api import router as regions_router
from netral.registry.api import router as registry_router
from netral.rules.api import calendar_router, deadlines_router, elections_router, rules_router
from netral.screening.api import router as screening_router

api = NinjaAPI(
    title="Netral API",
    version="1",
    description=(
        "Typed HTTP API of Netral. Lists take `limit` and `cursor` and answer "
        '`{"items": [...], "next_cursor": ...}`. Errors answer '
        '`{"detail": ..., "errors": [{"field": ..., "message": ...}]}`. '
        "Authenticate with the browser session (after the second factor) or a personal "
        "token: `Authorization: Bearer ntr_...`."
    ),
    auth=[VerifiedSessionAuth(), TokenAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/v1/regions", regions_router)
api.add_router("/v1/registry", registry_router)
api.add_router("/v1/rules", rules_router)
api.add_router("/v1/calendar", calendar_router)
api.add_router("/v1/elections", elections_router)
api.add_router("/v1/deadlines", deadlines_router)
api.add_router("/v1/reports", reports_router)
api.add_router("/v1/reports", registration_router)
api.add_router("/v1/cases", cases_router)
api.add_router("/v1/commitments", commitments_router)
api.add_router("/v1/screening", screening_router)
api.add_router("/v1/insights", insights_router)
api.add_router("/v1/public", public_router)
api.add_router("/v1/exports", exports_router)


def _error(
    request: HttpRequest, status: int, detail: str, errors: list[dict[str, object]]
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for item in exc.errors:
        location = [
            str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "payload")
        ]
        errors.append({"field": ".".join(location) or None, "message": item.get("msg", "")})
    return _error(request, 422, _("Some fields are not valid."), errors)


@api.exception_handler(InvalidInput)
def on_invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _error(request, 422, exc.message, [{"field": exc.field, "message": exc.message}])


@api.exception_handler(FieldErrors)
def on_field_errors(request: HttpRequest, exc: FieldErrors) -> HttpResponse:
    return _error(request, 422, str(exc.message), exc.errors)  # type: ignore[arg-type]


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error(request, exc.status_code, exc.message, exc.errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Sign in, or send a valid API token."), [])


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc.message), [])


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("Not found."), [])
