"""The site's menu, in one list: each entry names a URL; ``netral.core.menu`` shows it only to
users that URL's view lets in (its ``@gated`` check), so the menu never offers a 403."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netral.core.menu import MenuEntry, register
from netral.insights.work import unread_count, waiting_count


def register_menu() -> None:
    register(
        MenuEntry("intake:form", _("Report a violation"), 10, public=True, citizens_only=True),
        MenuEntry("intake:status", _("Report status"), 11, public=True, citizens_only=True),
        MenuEntry("rules:page", _("Rules"), 12, public=True),
        MenuEntry("transparency", _("Transparency"), 13, public=True),
        MenuEntry("work", _("My work"), 20, count=waiting_count),
        MenuEntry("commitments:sign", _("My integrity pact"), 21),
        MenuEntry("insights:dashboard", _("Dashboard"), 22),
        MenuEntry("reports:list", _("Reports"), 23),
        MenuEntry("cases:list", _("Cases"), 24),
        MenuEntry("commitments:overview", _("Commitments"), 25),
        MenuEntry("screening:queue", _("Screening"), 26),
        MenuEntry("registry:civil_servants", _("Civil servants"), 26),
        MenuEntry("registry:agencies", _("Agencies"), 27),
        MenuEntry("registry:import", _("Import"), 28),
        MenuEntry("accounts:custodians", _("Custodians"), 38),
        MenuEntry("core:notifications", _("Notifications"), 39, count=unread_count),
        MenuEntry("accounts:tokens", _("API tokens"), 40),
    )
