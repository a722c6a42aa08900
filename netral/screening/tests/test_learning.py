"""The model learnt from reviewers: adds flags and re-ranks, never removes a cue hit."""

from __future__ import annotations

import pytest

from netral.screening import services
from netral.screening.models import Post, RankingModel

pytestmark = pytest.mark.django_db

# A quiet kind of support no cue catches: praise of the programme without naming the pair.
QUIET = [
    "program jalan mulus sampai desa itu luar biasa, lanjut terus programnya {i}",
    "jalan mulus sampai desa, program hebat harus lanjut {i}",
    "terima kasih program jalan mulus sampai desa, lanjutkan {i}",
]
ORDINARY = [
    "hari ini rapat koordinasi di kantor camat nomor {i}",
    "jadwal posyandu minggu depan di balai desa {i}",
    "selamat ulang tahun untuk rekan kerja kami {i}",
    "hujan deras sore ini, hati-hati di jalan {i}",
]


def _decide_many(election, officer, texts, verdict):
    for text in texts:
        post, _ = services.add_post(election=election, region_id="64", text=text, actor=officer)
        services.decide(post=post, verdict=verdict, note="", actor=officer)


def test_retraining_adds_flags_records_versions_and_keeps_cue_hits(profile, personas, as_user):
    officer = personas["bawaslu.kaltim"]
    election = profile.election
    _decide_many(election, officer, [t.format(i=i) for i in range(8) for t in QUIET], "partisan")
    _decide_many(
        election, officer, [t.format(i=i) for i in range(8) for t in ORDINARY], "not_partisan"
    )
    cue_hit, _ = services.add_post(
        election=election, region_id="64", text="coblos 1 #RahTris", actor=officer
    )
    for i in range(60):
        services.add_post(
            election=election, region_id="64", text=ORDINARY[i % 4].format(i=100 + i), actor=None
        )
    quiet_new, _ = services.add_post(
        election=election,
        region_id="64",
        text="program jalan mulus sampai desa memang harus lanjut terus",
        actor=None,
    )
    assert not quiet_new.flagged  # no cue
    model = services.retrain(election)
    assert model is not None
    assert model.version == 1
    assert model.positives == 24
    assert model.presumed_negatives > 0
    services.rescore(election)
    cue_hit.refresh_from_db()
    quiet_new.refresh_from_db()
    assert cue_hit.flagged
    assert cue_hit.model_version == 1
    assert cue_hit.profile_version == 1
    assert quiet_new.flagged, (quiet_new.model_score, model.threshold)
    assert quiet_new.cues == []
    assert quiet_new.model_score > 0.5
    # Re-ranked above the ordinary posts, and explained by the confirmed posts it resembles.
    ordinary_best = Post.objects.filter(verdict="", cues=[]).exclude(pk=quiet_new.pk)
    assert all(p.score < quiet_new.score for p in ordinary_best)
    nearest = services.nearest_confirmed(quiet_new)
    assert nearest
    assert "jalan mulus" in nearest[0][0].text
    # The API explains such a flag by the confirmed posts it resembles.
    answer = as_user("bawaslu.kaltim").post(
        "/api/v1/screening/screen",
        {"election": "pilkada-2024", "posts": [{"ref": "q", "text": quiet_new.text}]},
        content_type="application/json",
    )
    item = answer.json()["items"][0]
    assert item["flagged"]
    assert item["cues"] == []
    assert item["nearest"]
    assert item["model_version"] == 1
    # Every post still flagged by its cues stays flagged whatever the model says.
    for post in Post.objects.filter(cue_score__gte=3.0):
        assert post.flagged


def test_too_few_decisions_train_nothing(profile, personas):
    assert services.retrain(profile.election) is None
    assert not RankingModel.objects.exists()
