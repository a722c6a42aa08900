"""Helpers shared by the commitments pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from netral.commitments import services
from netral.commitments.forms import AttendanceForm
from netral.commitments.queries import agencies_in
from netral.core import held as held_files
from netral.core.scope import Scope
from netral.rules.models import Election


def _election(request: HttpRequest) -> Election | None:
    slug = request.GET.get("election", "")
    queryset = Election.objects.order_by("-voting_day")
    return (queryset.filter(slug=slug).first() if slug else None) or queryset.first()


def _agencies(scope: Scope) -> Any:
    return agencies_in("", scope).order_by("code")


def _nip_list(form: Any) -> list[tuple[int, str]]:
    """The NIPs of an attendance form, each with its row: the file's (its header is row 1)
    when one was sent, else the typed lines'. Raises ``ImportFileError``."""
    from netral.core.tabular import ImportFileError, column_values, uploaded_path

    upload = form.cleaned_data.get("file")
    if not upload:
        return list(enumerate(str(form.cleaned_data["nips"]).splitlines(), start=1))
    with uploaded_path(upload) as path:
        try:
            return column_values(path, "nip", upload.name or "")
        except LookupError:
            raise ImportFileError(_("The file needs a column named nip.")) from None


def _upload(upload: Any) -> services.Upload:
    """An uploaded file as the services take it."""
    upload.seek(0)
    return services.Upload(upload.name or "", upload.read())


def _offices(scope: Scope) -> Any:
    """Offices of the jurisdiction's regions and agencies (and the national ones)."""
    from django.db.models import Q

    from netral.registry.models import Office

    if scope.national:
        return Office.objects.order_by("code")
    condition = Q(region__isnull=True) | Q(agency_id__in=sorted(scope.agency_ids))
    regions = set(agencies_in("", scope).exclude(region=None).values_list("region_id", flat=True))
    for code in regions | set(scope.region_codes):
        condition |= Q(region_id=code) | Q(region_id=code.split(".")[0])
    return Office.objects.filter(condition).order_by("code")


FILE_FIELDS = ("file",)


def _attendance_form(request: HttpRequest) -> tuple[AttendanceForm, str, Any]:
    """The attendance form with the list file kept from a failed attempt (``netral.core.held``):
    the form, its held-file token and its files."""
    if request.method != "POST":
        return AttendanceForm(), "", None
    # A typed list sent without a new file is what the clerk means now, not the kept file.
    typed = bool(str(request.POST.get("nips", "")).strip())
    data, files, token = held_files.bind(request, () if typed else FILE_FIELDS)
    return AttendanceForm(data, files), token, files


def _attendance_rows(form: AttendanceForm) -> tuple[list[tuple[int, str]], str]:
    """The NIPs of a valid attendance form with their row numbers (``_nip_list``) and how they
    came ("upload" or "list"). A file that cannot be read becomes an error on the form's file
    field."""
    from netral.core.tabular import ImportFileError

    method = "upload" if form.cleaned_data.get("file") else "list"
    try:
        return _nip_list(form), method
    except ImportFileError as exc:
        form.add_error("file", str(exc.message))
        return [], method


def _attendance_done(
    request: HttpRequest, form: AttendanceForm, token: str, files: Any, failed: bool
) -> None:
    """After a submission: keep the list file when it failed, forget it when it succeeded."""
    if failed:
        held_files.keep(request, form, files, token, FILE_FIELDS)
    else:
        held_files.release(token, request.user)
