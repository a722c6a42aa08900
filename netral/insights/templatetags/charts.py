"""Server-side SVG bar charts: no JavaScript, readable on a phone, every bar a link.

The drawing is for the eye (hidden from assistive technology, its links out of the tab order);
the same figures follow as a table, with the same links, for screen readers and keyboards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

ROW = 26
WIDTH = 600
LABEL = 230


@register.simple_tag
def bar_chart(items: Sequence[tuple[str, int, str]], title: str = "") -> SafeString:
    """``items``: (label, value, link) triples. The chart scales to its container (viewBox)."""
    if not items:
        return SafeString("")
    peak = max(value for _label, value, _link in items) or 1
    height = ROW * len(items) + 4
    bars: list[tuple[Any, ...]] = []
    for index, (label, value, link) in enumerate(items):
        y = index * ROW + 2
        width = max(1, round((WIDTH - LABEL - 60) * value / peak)) if value else 0
        # 28 characters fit the label column at the chart's smallest scale without touching a bar.
        short = label if len(label) <= 28 else label[:27] + "…"
        bars.append((link, label, value, y + 17, short, LABEL, y + 4, width, LABEL + width + 6))
    rows = format_html_join(
        "",
        '<a href="{}" tabindex="-1"><title>{}: {}</title><text x="0" y="{}" class="l">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="18" rx="2"></rect>'
        '<text x="{}" y="{}" class="v">{}</text></a>',
        ((link, label, value, ty, short, lx, ry, w, vx, ty, value)
         for link, label, value, ty, short, lx, ry, w, vx in bars),
    )  # fmt: skip
    table_rows = format_html_join(
        "",
        '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td></tr>',
        ((link, label, value) for label, value, link in items),
    )
    return format_html(
        '<figure class="chart"><svg class="chart" viewBox="0 0 {} {}" aria-hidden="true" '
        'focusable="false" preserveAspectRatio="xMinYMin meet">{}</svg>'
        '<details class="chart-table"><summary>{}</summary><table><caption>{}</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table></details></figure>",
        WIDTH,
        height,
        rows,
        _("The figures as a table"),
        title,
        _("Item"),
        _("Number"),
        table_rows,
    )
