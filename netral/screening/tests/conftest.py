"""A profile of a made-up regional election, typed as an officer would."""

from __future__ import annotations

from typing import Any

import pytest

# Fictional candidates: no real person's names.
PROFILE: dict[str, Any] = {
    "hashtags": ["#PilkadaKaltim2024", "#KaltimMemilih"],
    "pairs": [
        {
            "number": 1,
            "names": ["Rahmad Hidayat", "Sutrisno Wibowo"],
            "nicknames": ["Rahmad", "Bang Rahmad", "Tris", "RAHTRIS"],
            "hashtags": ["#RahmadSutrisno", "#RahTris"],
            "accounts": ["@rahmadhidayat"],
            "parties": ["Partai Harapan Rakyat"],
            "slogans": ["Kaltim Berdaulat"],
        },
        {
            "number": 2,
            "names": ["Agus Salim Nugroho", "Dewi Lestari Handayani"],
            "nicknames": ["Agus", "Bu Dewi", "AGUSDEWI"],
            "hashtags": ["#AgusDewi", "#AgusDewiMenang"],
            "accounts": ["@agusnugroho"],
            "parties": ["Partai Maju Bersama"],
            "slogans": ["Kaltim Sejahtera Merata"],
        },
    ],
}


@pytest.fixture
def profile_data() -> dict[str, Any]:
    return {"hashtags": list(PROFILE["hashtags"]), "pairs": [dict(p) for p in PROFILE["pairs"]]}


@pytest.fixture
def election(db: Any) -> Any:
    from netral.rules.models import Election

    return Election.objects.get(slug="pilkada-2024")


@pytest.fixture
def profile(election: Any, personas: dict[str, Any], profile_data: dict[str, Any]) -> Any:
    from netral.screening import services

    return services.save_profile(
        election=election, data=profile_data, actor=personas["bawaslu.kaltim"]
    )
