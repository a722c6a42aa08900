"""The fixed choices of the workflow's steps: the two tracks of a sanction, an appeal's routes
and outcomes, and the deadline rules each appeal route starts (PP 79/2021)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TRACKS = (("ethics", _("Ethics (PP 42/2004)")), ("discipline", _("Discipline (PP 94/2021)")))
APPEAL_OUTCOMES = (
    ("upheld", _("Decision upheld")),
    ("changed", _("Sanction changed")),
    ("annulled", _("Decision annulled")),
)
# The two routes of an appeal (upaya administratif, PP 79/2021).
OBJECTION = "objection"
ADMINISTRATIVE_APPEAL = "administrative"
APPEAL_ROUTES = (
    (
        OBJECTION,
        _(
            "Objection (keberatan) to the PPK or the official's superior: sanctions other than "
            "dismissal"
        ),
    ),
    (
        ADMINISTRATIVE_APPEAL,
        _(
            "Administrative appeal (banding administratif) to BPASN: dismissal (PNS) or contract "
            "termination (PPPK)"
        ),
    ),
)
# The deadline rule for filing on each route, counted from the decision (lateness is recorded).
APPEAL_FILING: dict[str, str] = {
    OBJECTION: "appeal",
    ADMINISTRATIVE_APPEAL: "appeal_administrative",
}
