"""The model learnt from reviewers' decisions: a linear classifier over hashed character
n-grams, one version per training run and election.

The model re-ranks posts and may add flags among posts with no cue (only above a threshold
set at the top of the presumed negatives), but it never removes a cue hit: the flag of a post
is the cue layer's flag OR the model's. The imported posts nobody reviewed yet serve as
presumed negatives, which teaches the model the stance rather than the topic.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import HashingVectorizer

N_FEATURES = 2**18
MODEL_WEIGHT = 3.0  # how much a probability of 1 adds to the rank of a post
MIN_EXAMPLES = 5  # of each class, before a model is worth training
PRESUMED_NEGATIVES = 20_000
PRESUMED_WEIGHT = 0.5
FLAG_SHARE = 0.01  # the model flags at most about this share of posts with no cue


@cache
def vectorizer() -> HashingVectorizer:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 4),
        n_features=N_FEATURES,
        alternate_sign=False,
        lowercase=True,
        norm="l2",
    )


@dataclass(frozen=True)
class Trained:
    weights: np.ndarray[Any, np.dtype[np.float32]]
    intercept: float
    threshold: float
    seconds: float


def train(
    positives: Sequence[str], negatives: Sequence[str], presumed: Sequence[str]
) -> Trained | None:
    """Fit a classifier; ``None`` when there are too few decisions of either kind."""
    if len(positives) < MIN_EXAMPLES or len(negatives) + len(presumed) < MIN_EXAMPLES:
        return None
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    texts = [*positives, *negatives, *presumed]
    labels = np.array([1] * len(positives) + [0] * (len(negatives) + len(presumed)))
    sample_weight = np.array(
        [1.0] * (len(positives) + len(negatives)) + [PRESUMED_WEIGHT] * len(presumed)
    )
    matrix = vectorizer().transform(texts)
    classifier = LogisticRegression(C=4.0, class_weight="balanced", max_iter=300)
    classifier.fit(matrix, labels, sample_weight=sample_weight)
    weights = classifier.coef_[0].astype(np.float32)
    intercept = float(classifier.intercept_[0])
    threshold = 0.5
    if presumed:
        scores = probabilities(presumed, weights, intercept)
        threshold = max(0.5, float(np.quantile(scores, 1 - FLAG_SHARE)))
    return Trained(weights, intercept, threshold, time.perf_counter() - started)


def probabilities(
    texts: Sequence[str], weights: np.ndarray[Any, np.dtype[np.float32]], intercept: float
) -> np.ndarray[Any, np.dtype[np.float64]]:
    if not texts:
        return np.zeros(0)
    margin = vectorizer().transform(texts) @ weights + intercept
    result: np.ndarray[Any, np.dtype[np.float64]] = 1.0 / (1.0 + np.exp(-margin))
    return result


def similarities(text: str, others: Sequence[str]) -> list[float]:
    """Cosine similarity of ``text`` to each of ``others`` (vectors are L2-normalised)."""
    if not others:
        return []
    one = vectorizer().transform([text])
    many = vectorizer().transform(list(others))
    return [float(v) for v in (many @ one.T).toarray().ravel()]


def to_bytes(weights: np.ndarray[Any, np.dtype[np.float32]]) -> bytes:
    return weights.astype("<f4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)
