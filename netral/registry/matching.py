"""Recognising an agency in what a reporter typed, however they wrote it.

"Pemerintah Kabupaten Kutai Kartanegara - Dinas Pendidikan", "Dinas Pendidikan Kab. Kutai
Kartanegara", "PEMKAB KUTAI KARTANEGARA" and "Kutai Kartanegara, Kabupaten" all name the same
agency: case, punctuation, the usual abbreviations of the government's kind, a unit name before
or after a dash and the order of the words do not matter. A name is only recognised when one
agency fits better than every other; a tie (or nothing) answers None and the report is routed by
the place of the act.
"""

from __future__ import annotations

import re

from netral.core import reference
from netral.registry.models import Agency

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Abbreviations and longer forms of the kind of government, folded to one word.
_KIND_WORDS = {
    "pemkab": "kabupaten",
    "kab": "kabupaten",
    "kabupaten": "kabupaten",
    "pemkot": "kota",
    "kota": "kota",
    "pemprov": "provinsi",
    "prov": "provinsi",
    "provinsi": "provinsi",
    "propinsi": "provinsi",
}
# Words that say nothing about which agency it is.
_FILLER = {"pemerintah", "pemda", "pemerintahan", "daerah", "dan", "di", "the", "of"}


def words(text: str) -> list[str]:
    """The significant words of a name, in order: lower case, no punctuation, kinds folded."""
    folded = []
    for word in _WORD.findall(text.casefold()):
        word = _KIND_WORDS.get(word, word)
        if word not in _FILLER:
            folded.append(word)
    return folded


def _contiguous(needle: list[str], haystack: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _agency_words() -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Every agency's significant words (reference data, memoised per process)."""

    def load() -> tuple[tuple[int, tuple[str, ...]], ...]:
        rows = Agency.objects.order_by("pk").values_list("pk", "name")
        return tuple((pk, tuple(words(name))) for pk, name in rows if words(name))

    return reference.memo("registry.agency_words", load)


def recognise_agency_id(text: str) -> int | None:
    """The id of the one agency whose name the text contains (in any order), or None.

    An agency whose words all appear wins over one with fewer words; among equals, the one
    whose words appear in their own order wins; a remaining tie is not a recognition. When no
    name is complete, the name without its kind ("Kutai Kartanegara" for "Kabupaten Kutai
    Kartanegara") is tried the same way.
    """
    typed = words(text)
    if not typed:
        return None
    present = set(typed)
    kinds = set(_KIND_WORDS.values())
    for strip_kind in (False, True):
        best: tuple[int, int] | None = None
        chosen: list[int] = []
        for pk, name in _agency_words():
            needle = [w for w in name if not (strip_kind and w in kinds)]
            if not needle or not set(needle) <= present:
                continue
            score = (len(needle), 1 if _contiguous(needle, typed) else 0)
            if best is None or score > best:
                best, chosen = score, [pk]
            elif score == best:
                chosen.append(pk)
        if len(chosen) == 1:
            return chosen[0]
        if chosen:
            return None  # two agencies fit equally well: not a recognition
    return None


def recognise_agency(text: str) -> Agency | None:
    pk = recognise_agency_id(text)
    return Agency.objects.select_related("region").filter(pk=pk).first() if pk else None
