"""The one HTTP API: every app's router mounted under /api/v1/, OpenAPI at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
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

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
COMMON = {
    400: "The body cannot be read (malformed JSON or multipart).",
    401: "No valid session or token.",
    403: "Your role may not do this.",
    404: "Not found (or not in your jurisdiction).",
    413: "The request is larger than the server accepts.",
    422: "A field is not valid; `errors` names it.",
}


class NetralAPI(NinjaAPI):
    """The OpenAPI document lists every status the API really answers, in the shared error
    shape: 422 everywhere (typed parameters and the input-cleaning layer), 401 and 403 where a
    login is needed, 404 where the path names a thing, 400 and 413 where a body is sent."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                statuses = [422]
                if operation.get("security"):
                    statuses += [401, 403]
                if "{" in path:
                    statuses.append(404)
                if method in ("post", "put", "patch"):
                    statuses += [400, 413]
                responses = operation.setdefault("responses", {})
                for status in statuses:
                    if status in responses or str(status) in responses:
                        continue
                    responses.setdefault(
                        status,
                        {
                            "description": COMMON[status],
                            "content": {"application/json": {"schema": ERROR_REF}},
                        },
                    )
        return schema


api = NetralAPI(
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
    # Without deep links an operation's path is plain text, not a link nested in its toggle
    # button (axe: nested-interactive).
    docs=Swagger(settings={"deepLinking": False}),
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


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # A number too large for the database (an id or count far beyond any real one).
    return _error(request, 422, _("A number is out of range."), [])
