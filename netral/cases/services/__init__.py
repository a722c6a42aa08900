"""The services that change a case, by subject: ``registration`` opens or joins a case,
``transitions`` takes a step of the workflow table, ``documents`` stores uploads and letters.

The names other modules use are importable from here as well.
"""

from netral.cases.services.documents import (
    ACCEPTED_DOCUMENTS,
    MAX_DOCUMENT_BYTES,
    Upload,
    check_upload,
    store_document,
    write_letter,
)
from netral.cases.services.registration import (
    CHECKLIST,
    Requirement,
    match_differs,
    next_case_number,
    register_report,
    required_items,
)
from netral.cases.services.transitions import (
    Conflict,
    Forbidden,
    InvalidInputs,
    TransitionError,
    available,
    covers,
    election_kind,
    perform,
    public_stage,
    refusal,
    start_deadline,
    zone_of_case,
)

__all__ = [
    "ACCEPTED_DOCUMENTS",
    "CHECKLIST",
    "MAX_DOCUMENT_BYTES",
    "Conflict",
    "Forbidden",
    "InvalidInputs",
    "Requirement",
    "TransitionError",
    "Upload",
    "available",
    "check_upload",
    "covers",
    "election_kind",
    "match_differs",
    "next_case_number",
    "perform",
    "public_stage",
    "refusal",
    "register_report",
    "required_items",
    "start_deadline",
    "store_document",
    "write_letter",
    "zone_of_case",
]
