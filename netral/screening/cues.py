"""The cue layer: normalise a post, match an election's profile and the generic campaign
vocabulary as whole tokens, and score the matches with weights by cue kind.

Normalisation does more than vocabulary: case, elongated letters ("pilihhh"), leetspeak
("p1l1h"), hashtags and handles split at case and letter-digit boundaries
(``#AniesSandiPemersatu``, ``jokowi2periode``), fused hashtags (``#PRABOWOGIBRAN``) segmented
against the known words, emoji and punctuation removed. A nickname that is also an ordinary
Indonesian word (Sastrawi's root words) weighs less unless it came from a hashtag or handle.

A profile compiles once per version into a ``Matcher`` (memoised): a dictionary of phrases by
their first token and one regular expression per ballot-number pattern.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

PAIR_LISTS = ("names", "nicknames", "hashtags", "accounts", "parties", "slogans", "programmes")

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A raw token: an optional run of # or @, then word characters (letters, digits, underscore).
_RAW = re.compile(r"([#@]*)([^\W_]+(?:_+[^\W_]+)*)")
_PIECES = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^\W\d_]+")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_DIGIT_IN_WORD = re.compile(r"[^\W\d_][0-9]+[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    text: str
    pair: int | None
    weight: float
    start: int = 0
    end: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "pair": self.pair,
            "weight": round(self.weight, 2),
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class Screened:
    score: float
    flagged: bool
    cues: list[Cue] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Token:
    word: str
    tag: int  # index of the hashtag or handle it came from, -1 for plain text
    start: int
    end: int


@cache
def vocabulary() -> dict[str, Any]:
    """The generic campaign vocabulary, slang map and ballot-number patterns (shipped data)."""
    text = resources.files("netral.screening").joinpath("data/vocabulary.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def common_words() -> frozenset[str]:
    """Indonesian root words from Sastrawi (MIT), normalised like post text."""
    import Sastrawi

    path = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    words = path.read_text("utf-8").split()
    return frozenset(squeeze(w.lower()) for w in words if w.isalpha())


def squeeze(word: str) -> str:
    """Collapse repeated letters: "pilihhh" and "piliih" both read "pilih"."""
    return _REPEATS.sub(r"\1", word)


def _deleet(raw: str, leet: Mapping[str, str]) -> str:
    """Read "p1l1h" as "pilih" when digits sit between letters and all are leet digits."""
    if not _DIGIT_IN_WORD.search(raw):
        return raw
    digits = {c for c in raw if c.isdigit()}
    if not digits <= leet.keys():
        return raw
    return "".join(leet.get(c, c) for c in raw)


class Normaliser:
    """Turns text into normalised tokens; ``known`` words let fused hashtags be segmented."""

    def __init__(
        self, known: Iterable[str] = (), fused: Mapping[str, list[str]] | None = None
    ) -> None:
        vocab = vocabulary()
        self.fused = dict(fused or {})
        self.leet: dict[str, str] = vocab["leet"]
        self.slang: dict[str, str] = {squeeze(k): v for k, v in vocab["slang"].items()}
        self.known = frozenset(known)
        self.longest = max((len(w) for w in self.known), default=0)

    def tokens(self, text: str) -> list[Token]:
        text = unicodedata.normalize("NFKC", text)
        text = _URL.sub(lambda m: " " * len(m.group()), text)
        out: list[Token] = []
        for tag_index, match in enumerate(_RAW.finditer(text)):
            marks, body = match.group(1), match.group(2)
            tag = tag_index if marks else -1
            start, end = match.start(), match.end()
            for chunk in body.split("_"):
                chunk = _deleet(chunk, self.leet)
                for piece in _PIECES.findall(chunk):
                    word = piece.lower()
                    if not word.isdigit():
                        word = squeeze(word)
                    parts = self.fused.get(word)
                    if parts is not None:
                        out.extend(Token(part, tag, start, end) for part in parts)
                        continue
                    if tag >= 0 and len(word) >= 6 and word not in self.known:
                        for part in self.segment(word):
                            out.append(Token(part, tag, start, end))
                        continue
                    for part in self.slang.get(word, word).split():
                        out.append(Token(part, tag, start, end))
        return out

    def segment(self, word: str) -> list[str]:
        """Split a fused hashtag into known words, covering as many letters as possible."""
        n = len(word)
        # score[j]: (letters covered by known words, -pieces) of the best split of word[:j]
        score: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        back = [0] * (n + 1)
        known = [False] * (n + 1)
        for j in range(1, n + 1):
            covered, pieces = score[j - 1]
            best, start, is_known = (covered, pieces - 1), j - 1, False
            for i in range(max(0, j - self.longest), j - 1):
                if word[i:j] in self.known:
                    candidate = (score[i][0] + j - i, score[i][1] - 1)
                    if candidate > best:
                        best, start, is_known = candidate, i, True
            score[j], back[j], known[j] = best, start, is_known
        if score[n][0] < 0.7 * n:
            return [word]
        parts: list[str] = []
        unknown = ""
        j = n
        while j > 0:
            i = back[j]
            if known[j]:
                if unknown:
                    parts.append(unknown)
                    unknown = ""
                parts.append(word[i:j])
            else:
                unknown = word[i:j] + unknown
            j = i
        if unknown:
            parts.append(unknown)
        return parts[::-1]


@dataclass(frozen=True, slots=True)
class _Entry:
    words: tuple[str, ...]
    kind: str
    text: str
    pair: int | None
    tag_only: bool  # hashtags match only tokens of one hashtag
    common: bool  # an ordinary Indonesian word: weighs less outside a hashtag or handle


class Matcher:
    """An election profile compiled for matching (one per profile version)."""

    def __init__(self, profile: Mapping[str, Any], version: int = 0) -> None:
        self.version = version
        vocab = vocabulary()
        self.weights: dict[str, float] = vocab["weights"]
        common = common_words()
        plain = Normaliser()
        entries: list[_Entry] = []

        def words_of(text: str) -> tuple[str, ...]:
            return tuple(t.word for t in plain.tokens(text))

        def add(text: str, kind: str, pair: int | None, *, tag_only: bool = False) -> None:
            words = words_of(text)
            if not words:
                return
            is_common = all(w in common or len(w) < 3 for w in words)
            entries.append(_Entry(words, kind, text.strip(), pair, tag_only, is_common))

        for tag in profile.get("hashtags", []):
            add(tag, "election_hashtag", None, tag_only=str(tag).startswith("#"))
        self.accounts: dict[str, tuple[str, int]] = {}
        self.pairs: dict[int, dict[str, Any]] = {}
        for pair in profile.get("pairs", []):
            number = int(pair["number"])
            self.pairs[number] = pair
            for name in pair.get("names", []):
                add(name, "name", number)
                for word in words_of(name):
                    if len(word) >= 4 and not word.isdigit():
                        add(word, "name", number)
            for nickname in pair.get("nicknames", []):
                add(nickname, "nickname", number)
            for tag in pair.get("hashtags", []):
                add(tag, "pair_hashtag", number, tag_only=True)
            for account in pair.get("accounts", []):
                handle = str(account).strip().lstrip("@").lower()
                if handle:
                    self.accounts[handle] = (str(account).strip(), number)
            for party in pair.get("parties", []):
                add(party, "party", number)
            for slogan in pair.get("slogans", []):
                add(slogan, "slogan", number)
            for programme in pair.get("programmes", []):
                add(programme, "programme", number)
        for term in vocab["campaign"]["strong"]:
            add(term, "campaign", None)
        for term in vocab["campaign"]["weak"]:
            add(term, "campaign_weak", None)

        known = {w for e in entries for w in e.words if len(w) >= 3}
        known |= {w for w in common if len(w) >= 4}
        # A fused entry ("AGUSDEWI") is read as the words it joins, as fused hashtags are.
        fused: dict[str, list[str]] = {}
        for word in {w for e in entries for w in e.words if len(w) >= 6 and w not in common}:
            parts = Normaliser(known - {word}).segment(word)
            if len(parts) > 1 and all(p in known for p in parts):
                fused[word] = parts
        if fused:
            known -= fused.keys()
            entries = [
                _Entry(
                    tuple(p for w in e.words for p in fused.get(w, [w])),
                    e.kind,
                    e.text,
                    e.pair,
                    e.tag_only,
                    e.common,
                )
                for e in entries
            ]
        self.normaliser = Normaliser(known, fused)
        self.phrases: dict[str, list[_Entry]] = {}
        seen: set[tuple[tuple[str, ...], str, int | None]] = set()
        for entry in entries:
            key = (entry.words, entry.kind, entry.pair)
            if key in seen:
                continue
            seen.add(key)
            self.phrases.setdefault(entry.words[0], []).append(entry)
        for bucket in self.phrases.values():
            bucket.sort(key=lambda e: -len(e.words))  # longest phrase first

        numbers: dict[str, int] = {}
        for pair_number in self.pairs:
            numbers[str(pair_number)] = pair_number
            numbers[f"0{pair_number}"] = pair_number
        self.number_words = {w: n for w, n in vocab["number_words"].items() if n in self.pairs}
        numbers.update(self.number_words)
        self.numbers = numbers
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        if self.pairs:
            any_number = "|".join(sorted((re.escape(k) for k in numbers), key=len, reverse=True))
            zero = "|".join(f"0{n}" for n in sorted(self.pairs))
            for spec in vocab["ballot_patterns"]:
                source = spec["pattern"].replace("{n}", f"(?P<n>{any_number})(?= |$)")
                source = source.replace("{z}", f"(?P<n>{zero})")
                self.patterns.append((spec["kind"], re.compile(source)))

    def screen(self, text: str) -> Screened:
        tokens = self.normaliser.tokens(text)
        weights = self.weights
        factor = weights["common_word_factor"]
        found: dict[tuple[str, str, int | None], Cue] = {}
        # token index of each pair cue and of each strong campaign cue, for proximity
        pair_at: list[tuple[int, int]] = []
        campaign_at: list[int] = []

        def hit(
            kind: str,
            label: str,
            pair: int | None,
            first: Token,
            last: Token,
            *,
            common: bool = False,
            at: int = -1,
        ) -> None:
            key = (kind, label, pair)
            if pair is not None and at >= 0:
                pair_at.append((at, pair))
            if kind == "campaign" and at >= 0:
                campaign_at.append(at)
            if key in found:
                return
            weight = weights[kind] * (factor if common else 1.0)
            found[key] = Cue(kind, label, pair, weight, first.start, last.end)

        words = [t.word for t in tokens]
        n = len(words)
        i = 0
        while i < n:
            token = tokens[i]
            if token.tag >= 0 and text[token.start : token.start + 1] == "@":
                account = self.accounts.get(text[token.start : token.end].lstrip("@").lower())
                if account is not None:
                    hit("account", account[0], account[1], token, token, at=i)
            matched: list[_Entry] = []
            for entry in self.phrases.get(words[i], ()):
                size = len(entry.words)
                if matched and size < len(matched[0].words):
                    break  # longest phrases come first: a shorter one is inside the match
                if tuple(words[i : i + size]) != entry.words:
                    continue
                span = tokens[i : i + size]
                if entry.tag_only and (span[0].tag < 0 or any(t.tag != span[0].tag for t in span)):
                    continue
                matched.append(entry)
            if not matched:
                i += 1
                continue
            size = len(matched[0].words)
            span = tokens[i : i + size]
            best: dict[int | None, _Entry] = {}
            for entry in matched:
                current = best.get(entry.pair)
                if current is None or weights[entry.kind] > weights[current.kind]:
                    best[entry.pair] = entry
            for entry in best.values():
                common = (
                    entry.common
                    and entry.kind in _PROPER_KINDS
                    and not (span[0].tag >= 0 or _proper(text, span[0]))
                )
                hit(entry.kind, entry.text, entry.pair, span[0], span[-1], common=common, at=i)
            i += size
        if self.patterns and n:
            joined = " ".join(words)
            offsets: list[int] = []
            position = 0
            for word in words:
                offsets.append(position)
                position += len(word) + 1
            taken: list[tuple[int, int]] = []
            for kind, pattern in self.patterns:
                for match in pattern.finditer(joined):
                    number_text = match.group("n")
                    pair = self.numbers.get(number_text)
                    if pair is None:
                        continue
                    lo = match.start() + (1 if joined[match.start()] == " " else 0)
                    hi = max(match.end() - 1, lo)
                    if any(lo <= b and a <= hi for a, b in taken):
                        continue  # inside a ballot phrase already found
                    taken.append((lo, hi))
                    cue_kind = "ballot_word" if number_text in self.number_words else kind
                    first, last = _token_at(offsets, lo), _token_at(offsets, hi)
                    hit(
                        cue_kind, match.group().strip(), pair, tokens[first], tokens[last], at=first
                    )
        near = {pair for at, pair in pair_at if any(abs(at - c) <= _NEAR for c in campaign_at)}
        return self._score(list(found.values()), near)

    def _score(self, cues: list[Cue], near: set[int]) -> Screened:
        weights = self.weights
        by_pair: dict[int, float] = {}
        mentions: dict[int, float] = {}
        general = 0.0
        campaign = 0.0
        for cue in cues:
            if cue.pair is not None and cue.kind in _MENTION_KINDS:
                mentions[cue.pair] = mentions.get(cue.pair, 0.0) + cue.weight
            elif cue.pair is not None:
                by_pair[cue.pair] = by_pair.get(cue.pair, 0.0) + cue.weight
            elif cue.kind in ("campaign", "campaign_weak"):
                campaign += cue.weight
            else:
                general += cue.weight
        for pair in near:  # a campaign word right beside a pair cue: "pilih ganjar"
            by_pair[pair] = by_pair.get(pair, 0.0) + weights["near"]
        for pair, weight in mentions.items():
            # Naming a pair many times is still a mention: stance shows in the other cues.
            by_pair[pair] = by_pair.get(pair, 0.0) + min(weight, weights["mention_cap"])
        campaign = min(campaign, 3.0)
        ranked = sorted(by_pair.values(), reverse=True)
        best = ranked[0] if ranked else 0.0
        # Several pairs named alike reads as news or comparison, not support.
        rival = ranked[1] * weights["rival_factor"] if len(ranked) > 1 else 0.0
        if best >= weights["pair_minimum"]:
            score = best + campaign + general - rival
            flagged = score >= weights["flag_at"]
        else:
            # No pair named: the vocabulary ranks the post but never flags it alone.
            score = min(best + campaign + general, 2.0) * 0.5
            flagged = False
        cues.sort(key=lambda c: (c.start, -c.weight))
        return Screened(round(score, 3), flagged, cues)

    def screen_many(self, texts: Sequence[str]) -> list[Screened]:
        return [self.screen(t) for t in texts]


_NEAR = 3
_MENTION_KINDS = frozenset({"name", "nickname"})
_PROPER_KINDS = frozenset({"nickname", "name", "slogan", "party", "programme"})


def _proper(text: str, token: Token) -> bool:
    """Written as a name: capitalised (not all capitals) and not at the start of a sentence."""
    raw = text[token.start : token.end]
    if not (raw[:1].isupper() and any(c.islower() for c in raw)):
        return False
    before = text[: token.start].rstrip()
    return bool(before) and before[-1] not in ".!?:\n\"'"


def _token_at(offsets: list[int], position: int) -> int:
    """The index of the token whose text in the joined string contains ``position``."""
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets[mid] <= position:
            lo = mid
        else:
            hi = mid - 1
    return lo


_lock = threading.Lock()
_compiled: dict[tuple[int, int], Matcher] = {}


def matcher(election_id: int, version: int, profile: Mapping[str, Any]) -> Matcher:
    """The compiled matcher of one profile version (memoised: versions never change)."""
    key = (election_id, version)
    found = _compiled.get(key)
    if found is None:
        compiled = Matcher(profile, version)
        with _lock:
            if len(_compiled) > 64:
                _compiled.clear()
            found = _compiled.setdefault(key, compiled)
    return found
