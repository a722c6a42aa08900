"""A profile of a made-up regional election, typed as an officer would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# A made-up regional election: no real person's names (shared with bench/screening.py).
PROFILE: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "profile.json").read_text())


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
