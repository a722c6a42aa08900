"""``{% may_open "cases:import" as ok %}``: offer an in-page link only to users its view admits
(the view's own ``@gated`` check, as the menu does)."""

from __future__ import annotations

from typing import Any

from django import template

from netral.core.menu import may_open_url

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context: dict[str, Any], url_name: str) -> bool:
    request = context.get("request")
    return request is not None and may_open_url(request, url_name)
