"""How sure a comparison is: bootstrap interval of the difference, probability of improvement.

For a comparative claim ("A is better than B") with one number per seed for
each side, two numbers go beside the verdict, as rliable recommends for
few-run comparisons:

* the mean per-seed difference (A - B, signed so that positive favours A) with
  a 95% percentile bootstrap interval, resampling seeds with replacement
  (``scipy.stats.bootstrap`` over the paired per-seed differences; seeds pair
  naturally, since seed s draws the same data for both sides);
* the probability of improvement P(A > B), the share of (seed_i, seed_j) pairs
  in which A beats B, ties counting half.

The verdicts do not read these numbers; they tell a reader how far from the
threshold the evidence sits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
RESAMPLES = 2000


def compare(a: Sequence[float], b: Sequence[float], higher_is_better: bool,
            seed: int = 0) -> dict[str, float | int | list[float]]:
    """Mean paired difference (positive favours ``a``), its bootstrap interval and P(a > b)."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size == 0:
        raise ValueError("compare needs two equally long, non-empty sequences (one value a seed)")
    sign = 1.0 if higher_is_better else -1.0
    diffs = sign * (x - y)
    if x.size > 1 and np.ptp(diffs) > 0:
        res = stats.bootstrap((diffs,), np.mean, confidence_level=CONFIDENCE,
                              n_resamples=RESAMPLES, method="percentile", random_state=seed)
        low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    else:
        low = high = float(diffs.mean())
    pairs = sign * (x[:, None] - y[None, :])
    improvement = float(((pairs > 0) + 0.5 * (pairs == 0)).mean())
    return {"mean_difference": float(diffs.mean()), "ci95": [low, high],
            "prob_improvement": improvement, "seeds": int(x.size)}
