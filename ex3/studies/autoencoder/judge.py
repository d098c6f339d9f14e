"""Judging the autoencoder claims (pure functions of the evidence).

Declared thresholds, fixed before any measurement:

* A1, "the loss decreases as we increase the number of epochs": for the
  report's final autoencoder, in every seed, both the train and the test
  loss (binary cross-entropy, evaluated on the whole split after each epoch)
  end below their value after the first epoch, and each falls in at least
  ``MONOTONE_SHARE`` (80%) of the epoch-to-epoch steps from epoch 1 on; a
  diverged run fails.
* A2, "better than the PCA": the autoencoder's test reconstruction MSE per
  pixel is below 2-component PCA's in every seed (seeds paired); the
  smallest relative margin is shown.
* A3, "clusters better separated": the autoencoder's 2-D test codes beat
  PCA's 2-D projection on both k-nearest-neighbour accuracy (k from the
  protocol) and the silhouette score of the digit labels, in every seed (a
  silhouette that is undefined, all codes equal, counts as not above).
* A4, "recognisable 9 out of 10, PCA 5 out of 10": the share of test
  reconstructions the MNIST convnet reads as the true digit, over the whole
  test set, must be higher for the autoencoder than for PCA in every seed;
  and the report's counts must be consistent with those shares: 9 of 10 for
  the autoencoder and 5 of 10 for PCA each pass a two-sided binomial test at
  5% (both tail probabilities of Binomial(10, share) at the count are at
  least ``TAIL`` = 2.5%), in every seed. The counts on the ten panel images
  are shown as evidence, not judged: ten images say little on their own.
* A5, "as I turned off some of the layers I achieved better results": the
  shallow autoencoder's test MSE per pixel is below the deep one's in every
  seed.

Dead code units (0 on every test image) are quoted in the reasons because a
dead unit turns the 2-D code into a 1-D one.
"""

from __future__ import annotations

import itertools
import math

from ex3.engine.claim import Comparison, Evidence, Judgement

MONOTONE_SHARE = 0.8
TAIL = 0.025
REPORT_TEN = {"autoencoder": 9, "pca": 5}
N_TEN = 10
SHALLOW, DEEP = "autoencoder", "autoencoder_deep"


def _seeds(evidence: Evidence) -> dict[str, dict]:
    return dict(evidence["per_seed"])


def _fmt(values: list[float | None], spec: str = ".4f") -> str:
    return "[" + ", ".join("undefined" if v is None else format(v, spec) for v in values) + "]"


def _above(a: float | None, b: float | None) -> bool:
    """``a > b`` for finite numbers; an undefined value (None, NaN) is never above anything."""
    return a is not None and b is not None and math.isfinite(a) and a > b


def _dead(evidence: Evidence, model: str = SHALLOW) -> str:
    return f"dead code units {[s[model]['dead_code_units'] for s in _seeds(evidence).values()]}"


def falling_share(curve: list[float]) -> float:
    """The share of epoch-to-epoch steps, from epoch 1 on, in which ``curve`` falls."""
    steps = list(itertools.pairwise(curve[1:]))
    if not steps:
        return 0.0
    return sum(b < a for a, b in steps) / len(steps)


def _decreases(curve: list[float]) -> bool:
    finite = all(math.isfinite(v) for v in curve)
    return (finite and len(curve) > 2 and curve[-1] < curve[1]
            and falling_share(curve) >= MONOTONE_SHARE)


def judge_a1(evidence: Evidence) -> Judgement:
    """A1: the autoencoder's train and test loss decrease with the epochs."""
    runs = [s[SHALLOW] for s in _seeds(evidence).values()]
    ok = all(not r["diverged"] and _decreases(r["train_loss_curve"])
             and _decreases(r["test_loss_curve"]) for r in runs)
    first = [r["train_loss_curve"][1] for r in runs]
    last = [r["train_loss_curve"][-1] for r in runs]
    shares = [(falling_share(r["train_loss_curve"]), falling_share(r["test_loss_curve"]))
              for r in runs]
    return Judgement.holds(ok, f"train loss epoch 1 {_fmt(first)} -> last {_fmt(last)}; "
                           f"share of falling steps (train, test) "
                           f"{[(round(a, 2), round(b, 2)) for a, b in shares]} "
                           f"(bar {MONOTONE_SHARE:.0%}); {len(runs)} seeds")


def lower_in_every_seed(evidence: Evidence, metric: str, winner: str,
                        loser: str) -> tuple[bool, str]:
    """Whether ``winner``'s ``metric`` is below ``loser``'s in every seed, with the margins."""
    seeds = _seeds(evidence).values()
    w = [s[winner][metric] for s in seeds]
    los = [s[loser][metric] for s in seeds]
    margins = [(b - a) / b for a, b in zip(w, los, strict=True)]
    ok = all(math.isfinite(a) and a < b for a, b in zip(w, los, strict=True))
    return ok, (f"{metric} {winner} {_fmt(w)} vs {loser} {_fmt(los)}, relative margin min "
                f"{min(margins):+.1%}")


def judge_a2(evidence: Evidence) -> Judgement:
    """A2: the autoencoder reconstructs the test images with lower MSE than PCA."""
    ok, reason = lower_in_every_seed(evidence, "test_mse", SHALLOW, "pca")
    return Judgement.holds(ok, f"{reason}; {_dead(evidence)}")


def judge_a3(evidence: Evidence) -> Judgement:
    """A3: the autoencoder's codes separate the digits better (kNN accuracy and silhouette)."""
    seeds = list(_seeds(evidence).values())
    parts, ok = [], True
    for metric in ("knn_acc", "silhouette"):
        ae = [s[SHALLOW][metric] for s in seeds]
        pca = [s["pca"][metric] for s in seeds]
        ok &= all(_above(a, b) for a, b in zip(ae, pca, strict=True))
        parts.append(f"{metric} autoencoder {_fmt(ae, '.3f')} vs pca {_fmt(pca, '.3f')}")
    return Judgement.holds(ok, "; ".join(parts) + f"; {_dead(evidence)}")


def binomial_tails(count: int, n: int, p: float) -> tuple[float, float]:
    """P(X <= count) and P(X >= count) for X ~ Binomial(n, p)."""
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    return sum(pmf[:count + 1]), sum(pmf[count:])


def consistent(count: int, share: float, n: int = N_TEN) -> bool:
    """Whether ``count`` of ``n`` passes a two-sided binomial test at 5% given ``share``."""
    low, high = binomial_tails(count, n, share)
    return min(low, high) >= TAIL


def judge_a4(evidence: Evidence) -> Judgement:
    """A4: autoencoder reconstructions are more recognisable than PCA's, at the report's rates."""
    seeds = list(_seeds(evidence).values())
    ae = [s[SHALLOW]["recognisable_share"] for s in seeds]
    pca = [s["pca"]["recognisable_share"] for s in seeds]
    better = all(a > b for a, b in zip(ae, pca, strict=True))
    fits = {m: all(consistent(REPORT_TEN[m], s[m]["recognisable_share"]) for s in seeds)
            for m in REPORT_TEN}
    ten = {m: [s[m]["ten_correct"] for s in seeds] for m in (SHALLOW, "pca")}
    return Judgement.holds(
        better and all(fits.values()),
        f"recognised by the convnet, whole test set: autoencoder {_fmt(ae, '.1%')} vs pca "
        f"{_fmt(pca, '.1%')} (higher every seed: {better}); report's 9/10 consistent: "
        f"{fits[SHALLOW]}, 5/10 consistent: {fits['pca']}; ten panel images recognised: "
        f"autoencoder {ten[SHALLOW]}/10, pca {ten['pca']}/10; {_dead(evidence)}")


def judge_a5(evidence: Evidence) -> Judgement:
    """A5: the shallow autoencoder reconstructs better than the deep one it started from."""
    ok, reason = lower_in_every_seed(evidence, "test_mse", SHALLOW, DEEP)
    return Judgement.holds(ok, f"{reason}; {_dead(evidence)}, deep {_dead(evidence, DEEP)}")


# --------------------------------------------------------------------------- statistics


def _paired(evidence: Evidence, metric: str, a: str, b: str,
            higher_is_better: bool) -> dict[str, Comparison]:
    """``a`` vs ``b`` on ``metric`` per seed, or nothing when a value is undefined (None)."""
    seeds = list(_seeds(evidence).values())
    x, y = [s[a][metric] for s in seeds], [s[b][metric] for s in seeds]
    if any(v is None for v in (*x, *y)):
        return {}
    return {f"{a} vs {b}, {metric}": (x, y, higher_is_better)}


def comparisons_a2(evidence: Evidence) -> dict[str, Comparison]:
    """Autoencoder vs PCA, test MSE per pixel (lower is better)."""
    return _paired(evidence, "test_mse", SHALLOW, "pca", higher_is_better=False)


def comparisons_a3(evidence: Evidence) -> dict[str, Comparison]:
    """Autoencoder vs PCA codes: kNN accuracy and silhouette (when defined in every seed)."""
    return {**_paired(evidence, "knn_acc", SHALLOW, "pca", higher_is_better=True),
            **_paired(evidence, "silhouette", SHALLOW, "pca", higher_is_better=True)}


def comparisons_a4(evidence: Evidence) -> dict[str, Comparison]:
    """Autoencoder vs PCA, share of test reconstructions the convnet reads correctly."""
    return _paired(evidence, "recognisable_share", SHALLOW, "pca", higher_is_better=True)


def comparisons_a5(evidence: Evidence) -> dict[str, Comparison]:
    """Shallow vs deep autoencoder, test MSE per pixel (lower is better)."""
    return _paired(evidence, "test_mse", SHALLOW, DEEP, higher_is_better=False)
