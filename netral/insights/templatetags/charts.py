"""Server-side SVG bar charts: no JavaScript, readable on a phone, every bar a link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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
        short = label if len(label) <= 32 else label[:31] + "…"
        bars.append((link, label, value, y + 17, short, LABEL, y + 4, width, LABEL + width + 6))
    rows = format_html_join(
        "",
        '<a href="{}"><title>{}: {}</title><text x="0" y="{}" class="l">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="18" rx="2"></rect>'
        '<text x="{}" y="{}" class="v">{}</text></a>',
        ((link, label, value, ty, short, lx, ry, w, vx, ty, value)
         for link, label, value, ty, short, lx, ry, w, vx in bars),
    )  # fmt: skip
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet">{}</svg>',
        WIDTH,
        height,
        title,
        rows,
    )
