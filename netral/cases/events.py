"""What cases announces (``netral.core.events``): apps to its right subscribe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from netral.core.events import Event, event, publish

if TYPE_CHECKING:
    from netral.cases.models import Case


@event("cases.case.changed")
@dataclass(frozen=True)
class CaseChanged(Event):
    """A case was opened, imported or moved a step. ``regency_codes``: the regency/city it lies
    in, and the one it left when it was passed to another office."""

    case_id: int
    election_id: int | None
    regency_codes: tuple[str, ...]


def case_changed(case: Case, *, left_regency: str = "") -> None:
    """Publish ``CaseChanged`` for a saved case (from the services that change it)."""
    regency = case.regency_code
    codes = (regency,) if not left_regency or left_regency == regency else (regency, left_regency)
    publish(CaseChanged(case_id=case.pk, election_id=case.election_id, regency_codes=codes))
