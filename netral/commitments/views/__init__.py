"""Commitments pages, one module per subject; the URLconfs import the views from here."""

from netral.commitments.views.circulars import circular_pdf, circulars, public_region
from netral.commitments.views.events import event, events
from netral.commitments.views.pacts import (
    agency_pacts,
    ceremony_pacts,
    missing,
    my_pact,
    overview,
    pact_pdf,
    sign_pact,
    verify,
)
from netral.commitments.views.pledges import ceremonies, ceremony, check_in

__all__ = [
    "agency_pacts",
    "ceremonies",
    "ceremony",
    "ceremony_pacts",
    "check_in",
    "circular_pdf",
    "circulars",
    "event",
    "events",
    "missing",
    "my_pact",
    "overview",
    "pact_pdf",
    "public_region",
    "sign_pact",
    "verify",
]
