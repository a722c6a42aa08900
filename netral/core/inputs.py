"""One cleaning layer for every request: text no database can store never reaches a view.

PostgreSQL refuses a NUL character in text, and no encoder writes a lone UTF-16 surrogate (which
JSON's ``\\ud800`` escapes can carry). Rather than each view guarding its queries, this middleware
looks at the path, the query string, the form fields and the JSON body once and answers a 4xx
that names the field (422 in the API's error shape, 400 on pages). A body Django cannot parse
(multipart without its boundary, part headers too long, too many fields) is a 400 here too, and
a form body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` a 413, in debug as in production.
Cookies carrying such characters are dropped, as if the browser had not sent them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

# A NUL, or a surrogate code point (only a lone one survives JSON decoding as such).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# In valid UTF-8 JSON such a character can only arrive escaped (\u0000, \ud800-\udfff); a body
# with neither these escapes nor a NUL byte (UTF-16 and UTF-32 JSON have them) is not decoded
# here, so on the usual request the API's own parse is the only one.
UNSTORABLE_ESCAPE = re.compile(rb"\x00|\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def unstorable(text: str) -> bool:
    return UNSTORABLE.search(text) is not None


def _walk(value: Any, path: str) -> Iterator[str]:
    """The dotted names of JSON strings (values or keys) that cannot be stored."""
    if isinstance(value, str):
        if unstorable(value):
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if unstorable(str(key)):
                yield path or "body"
            else:
                yield from _walk(item, name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}.{i}" if path else str(i))


def _bad_fields(request: HttpRequest) -> list[str]:
    fields: list[str] = []
    if unstorable(request.path_info):
        fields.append("path")
    for name, values in request.GET.lists():
        if unstorable(name) or any(unstorable(v) for v in values):
            fields.append(name if not unstorable(name) else "query")
    for header, value in request.META.items():
        if header.startswith("HTTP_") and isinstance(value, str) and unstorable(value):
            fields.append(header[5:].replace("_", "-").title())
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, values in request.POST.lists():
                if unstorable(name) or any(unstorable(v) for v in values):
                    fields.append(name if not unstorable(name) else "body")
            for name, files in request.FILES.lists():
                if any(unstorable(f.name or "") for f in files):
                    fields.append(name)
        elif content_type == "application/json" or content_type.endswith("+json"):
            if not UNSTORABLE_ESCAPE.search(request.body):
                return fields
            try:
                document = json.loads(request.body)
            except (ValueError, RecursionError):
                return fields  # the API answers malformed JSON itself
            fields.extend(_walk(document, ""))
    return fields


def _answer(request: HttpRequest, status: int, message: str, field: str | None) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        errors = [{"field": field, "message": message}]
        return JsonResponse({"detail": message, "errors": errors}, status=status)
    template = "413.html" if status == 413 else "400.html"
    return render(request, template, {"message": message, "field": field}, status=status)


class CleanInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in [k for k, v in request.COOKIES.items() if unstorable(k) or unstorable(v)]:
            del request.COOKIES[name]
        try:
            fields = _bad_fields(request)
        except RequestDataTooBig:
            message = _("The request is too large. Send less text or fewer files at once.")
            return _answer(request, 413, message, None)
        except TooManyFieldsSent:
            return _answer(request, 400, _("The form sends too many fields."), None)
        except (MultiPartParserError, BadRequest, SuspiciousOperation, UnicodeDecodeError):
            message = _("The form could not be read. Send it again from the page.")
            return _answer(request, 400, message, None)
        if fields:
            field = fields[0]
            message = _(
                "“%(field)s” contains a character that is not allowed (a NUL character or a "
                "broken Unicode sequence). Remove it and send again."
            ) % {"field": field}
            status = 422 if request.path_info.startswith("/api/") else 400
            return _answer(request, status, message, field)
        return self.get_response(request)


def is_id(text: str) -> bool:
    """Whether ``text`` is a database id: ASCII digits only (``str.isdigit`` also accepts "²",
    which ``int`` refuses) and short enough for a 64-bit integer."""
    return text.isascii() and text.isdigit() and len(text) <= 18
