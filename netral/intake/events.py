"""What intake announces (``netral.core.events``): apps to its right subscribe."""

from __future__ import annotations

from dataclasses import dataclass

from netral.core.events import Event, event


@event("intake.report.submitted")
@dataclass(frozen=True)
class ReportSubmitted(Event):
    """A reporter's report (or an officer's finding) was received."""

    report_id: int
