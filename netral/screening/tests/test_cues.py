"""The cue layer: normalisation, whole-token matching, common words, ballot phrases."""

from __future__ import annotations

import pytest

from netral.screening.cues import Matcher, Normaliser, common_words

from .conftest import PROFILE


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(PROFILE, 1)


def words(matcher: Matcher, text: str) -> list[str]:
    return [t.word for t in matcher.normaliser.tokens(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PILIHHH Rahmaaad!!!", ["pilih", "rahmad"]),
        ("p1l1h r4hm4d", ["pilih", "rahmad"]),
        ("#RahmadSutrisno2024", ["rahmad", "sutrisno", "2024"]),
        ("rahmad2periode", ["rahmad", "2", "periode"]),
        ("@agus_nugroho 🔥🇮🇩", ["agus", "nugroho"]),
        ("#AGUSDEWIMENANG", ["agus", "dewi", "menang"]),
        ("#pilihrahmad", ["pilih", "rahmad"]),
        ("cblos no. 1 yg tdk", ["coblos", "no", "1", "yang", "tidak"]),
        ("lihat https://x.com/a/status/12 ya", ["lihat", "ya"]),
    ],
)
def test_normalisation(matcher, text, expected):
    assert words(matcher, text) == expected


def test_sastrawi_root_words_are_the_common_word_list():
    common = common_words()
    assert {"bagus", "sandi", "baja", "agus"} <= common
    assert len(common) > 25_000


def kinds(matcher: Matcher, text: str) -> set[tuple[str, int | None]]:
    return {(c.kind, c.pair) for c in matcher.screen(text).cues}


def test_whole_tokens_only(matcher):
    # "agus" inside "bagus" is no cue; "Agus" alone is one.
    assert kinds(matcher, "hasilnya bagus sekali") == set()
    assert {pair for _kind, pair in kinds(matcher, "tadi ketemu Pak Agus di pasar")} == {2}


def test_a_nickname_that_is_a_common_word_weighs_less_outside_hashtags(matcher):
    plain = matcher.screen("agus datang")
    written_as_name = matcher.screen("tadi Agus datang")
    tagged = matcher.screen("#Agus datang")
    assert plain.cues[0].weight < written_as_name.cues[0].weight == tagged.cues[0].weight
    assert not plain.flagged


def test_ballot_phrases_need_a_campaign_word_or_leading_zero(matcher):
    assert ("ballot", 2) in kinds(matcher, "Ayo coblos no 2 ya")
    assert ("ballot", 1) in kinds(matcher, "salam 1 jari!")
    assert ("ballot_word", 2) in kinds(matcher, "pokoknya 02")
    assert kinds(matcher, "aku memilih satu baju") == set()
    assert kinds(matcher, "saya pilih 7 buah") == {("campaign", None)}  # no pair has number 7


def test_flags_need_a_pair_and_always_name_a_cue(matcher):
    ordinary = [
        "Selamat pagi, jangan lupa sarapan",
        "Ayo dukung timnas Indonesia menang!",
        "Debat semalam Rahmad bicara soal jalan",
        "kata sandi wifi kantor diganti",
    ]
    partisan = [
        "Ayo coblos nomor urut 1, Kaltim Berdaulat!",
        "#AgusDewiMenang pokoknya",
        "pilihhh agus dewi ya bestie",
        "Dukung @rahmadhidayat sampai menang",
        "Coblos 02 jangan lupa 🔥",
    ]
    for text in ordinary:
        assert not matcher.screen(text).flagged, text
    for text in partisan:
        result = matcher.screen(text)
        assert result.flagged, text
        assert any(c.pair for c in result.cues), text


def test_cue_spans_point_at_the_original_text(matcher):
    text = "Mantap!! #RahTris coblos 1"
    for cue in matcher.screen(text).cues:
        assert text[cue.start : cue.end].strip()
    tag = next(c for c in matcher.screen(text).cues if c.kind == "pair_hashtag")
    assert text[tag.start : tag.end] == "#RahTris"


def test_segmentation_prefers_covering_known_words():
    normaliser = Normaliser({"agus", "dewi", "menang", "bagus"})
    assert normaliser.segment("agusdewimenang") == ["agus", "dewi", "menang"]
    assert normaliser.segment("bagusdewi") == ["bagus", "dewi"]
    assert normaliser.segment("qwertyzx") == ["qwertyzx"]


def test_the_labelled_posts_meet_the_quality_targets(matcher):
    """Posts written and labelled for the evaluation (bench/screening.py prints the table)."""
    import csv
    from pathlib import Path

    path = Path(__file__).parent / "data" / "labelled_posts.tsv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    flagged: dict[str, list[bool]] = {"partisan": [], "ordinary": [], "general": []}
    for row in rows:
        flagged[row["label"]].append(matcher.screen(row["text"]).flagged)
    assert sum(flagged["partisan"]) / len(flagged["partisan"]) >= 0.95
    assert sum(flagged["ordinary"]) / len(flagged["ordinary"]) <= 0.05
    assert sum(flagged["general"]) / len(flagged["general"]) <= 0.002
