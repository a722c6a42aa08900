"""Self-hosted ALTCHA proof of work for public forms (no third-party service).

The browser solves a SHA-256 puzzle (static/netral/pow.js) while the person types; a solved
submission gets the normal rate limit, one without (no JavaScript, old browser) a stricter one,
so the form still works everywhere but floods cost work.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta

from altcha.v1 import ChallengeOptions as ChallengeOptionsV1
from altcha.v1 import create_challenge as create_challenge_v1
from altcha.v1 import verify_solution as verify_solution_v1
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

MAX_NUMBER = 50_000  # about 0.1 to 1 s on a cheap phone
LIFETIME = timedelta(minutes=30)


def _key() -> str:
    return hashlib.sha256(f"altcha:{settings.HMAC_KEY}".encode()).hexdigest()


def new_challenge() -> str:
    """JSON for the page's ``data-pow`` attribute."""
    challenge = create_challenge_v1(
        ChallengeOptionsV1(
            hmac_key=_key(),
            max_number=getattr(settings, "NETRAL_POW_MAX_NUMBER", MAX_NUMBER),
            expires=timezone.now() + LIFETIME,
        )
    )
    return json.dumps(
        {
            "algorithm": challenge.algorithm,
            "challenge": challenge.challenge,
            "maxnumber": challenge.max_number,
            "salt": challenge.salt,
            "signature": challenge.signature,
        }
    )


def solved(payload: str) -> bool:
    """A valid, unexpired solution that has not been used before."""
    if not payload or len(payload) > 2000:
        return False
    try:
        valid, _error = verify_solution_v1(payload, _key(), check_expires=True)
    except (ValueError, TypeError, KeyError):
        return False
    if not valid:
        return False
    # Each challenge counts once: a replayed solution is treated as no solution. The key is the
    # signed challenge itself, not the payload's bytes, which re-encoding the JSON would change.
    try:
        data = json.loads(base64.b64decode(payload))
        challenge = f"{data['challenge']}:{data['salt']}"
    except (ValueError, TypeError, KeyError):
        return False
    key = f"pow:{hashlib.sha256(challenge.encode()).hexdigest()}"
    return bool(caches["counters"].add(key, 1, int(LIFETIME.total_seconds()) + 60))
