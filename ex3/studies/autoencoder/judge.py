"""Judging the autoencoder claims (pure functions of the evidence).

Declared thresholds, fixed before any measurement:

* A1, "we can see that the loss decreases as we increase the number of
  epochs": a trend of the loss the model is trained on (Keras' ``loss``, the
  binary cross-entropy on the training split, evaluated on the whole split
  after each epoch), not a rule for every step: for the report's final
  autoencoder, in every seed, Kendall's tau between epoch (1..E) and train
  loss is negative with a one-sided p-value below ``TREND_P`` (5%), and the
  last epoch's loss is below the first's; a diverged run fails. Stricter
  properties are sub-checks beside the verdict: the same trend of the test
  loss, and the share of epoch-to-epoch steps in which each loss falls
  (at least ``MONOTONE_SHARE`` = 80%).
* A2, "better than the PCA": the autoencoder's test reconstruction MSE per
  pixel is below 2-component PCA's in every seed (seeds paired); the
  smallest relative margin is shown.
* A3, "in the autoencoder scatter the clusters of the digits are better
  separated than in the pca scatter": one declared number of separation,
  the k-nearest-neighbour accuracy (k from the protocol) of the digit labels
  from the 2-D test codes, must be higher than PCA's in every seed: the share
  of test images whose neighbours in the scatter carry their own digit. The
  silhouette score of the digit labels, which also asks for compact,
  convex clusters, is a stricter property shown as a sub-check (a
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
from collections.abc import Iterable

from scipy import stats

from ex3.studies.autoencoder.evidence import AutoencoderEvidence, PcaCoderMetrics, TrainedCoder
from ex3.studies.contract import Comparison, Judgement

MONOTONE_SHARE = 0.8
TREND_P = 0.05
TAIL = 0.025
REPORT_TEN = {"autoencoder": 9, "pca": 5}
N_TEN = 10
SHALLOW, DEEP = "autoencoder", "autoencoder_deep"


def _seeds(evidence: AutoencoderEvidence
           ) -> dict[str, dict[str, TrainedCoder | PcaCoderMetrics]]:
    return dict(evidence.per_seed)


def _fmt(values: list[float | None], spec: str = ".4f") -> str:
    return "[" + ", ".join("undefined" if v is None else format(v, spec) for v in values) + "]"


def _above(a: float | None, b: float | None) -> bool:
    """``a > b`` for finite numbers; an undefined value (None, NaN) is never above anything."""
    return a is not None and b is not None and math.isfinite(a) and a > b


def _dead(evidence: AutoencoderEvidence, model: str = SHALLOW) -> str:
    return f"dead code units {[s[model].dead_code_units for s in _seeds(evidence).values()]}"


def falling_share(curve: list[float]) -> float:
    """The share of epoch-to-epoch steps, from epoch 1 on, in which ``curve`` falls."""
    steps = list(itertools.pairwise(curve[1:]))
    if not steps:
        return 0.0
    return sum(b < a for a, b in steps) / len(steps)


def trend(curve: list[float]) -> tuple[float, float]:
    """Kendall's tau of ``curve`` (from epoch 1 on) against the epoch, and its one-sided p-value
    for a falling trend; (nan, 1) when there are fewer than 3 finite epochs."""
    values = curve[1:]
    if len(values) < 3 or not all(math.isfinite(v) for v in values):
        return math.nan, 1.0
    result = stats.kendalltau(range(len(values)), values, alternative="less")
    return float(result.statistic), float(result.pvalue)


def decreasing_trend(curve: list[float]) -> bool:
    """A significant falling trend (tau < 0, p < TREND_P) that ends below epoch 1."""
    tau, p = trend(curve)
    return tau < 0 and p < TREND_P and curve[-1] < curve[1]


def _trained(coder: TrainedCoder | PcaCoderMetrics) -> TrainedCoder:
    if not isinstance(coder, TrainedCoder):
        raise ValueError("A1 judges a trained autoencoder's loss curve; this slot holds PCA")
    return coder


def judge_a1(evidence: AutoencoderEvidence) -> Judgement:
    """A1: the autoencoder's (train) loss decreases as the epochs increase, as a trend."""
    runs = [_trained(s[SHALLOW]) for s in _seeds(evidence).values()]
    ok = all(not r.diverged and decreasing_trend(r.train_loss_curve) for r in runs)
    first = [r.train_loss_curve[1] for r in runs]
    last = [r.train_loss_curve[-1] for r in runs]
    taus = [trend(r.train_loss_curve) for r in runs]
    test_taus = [trend(r.test_loss_curve) for r in runs]
    shares = [(falling_share(r.train_loss_curve), falling_share(r.test_loss_curve))
              for r in runs]
    sub_checks = {
        "test loss falls as a trend too (tau < 0, p < 5%, ends lower)": _count(
            decreasing_trend(r.test_loss_curve) for r in runs),
        f"train loss falls in >= {MONOTONE_SHARE:.0%} of epoch steps": _count(
            a >= MONOTONE_SHARE for a, _ in shares),
        f"test loss falls in >= {MONOTONE_SHARE:.0%} of epoch steps": _count(
            b >= MONOTONE_SHARE for _, b in shares),
    }
    return Judgement.holds(
        ok, f"train loss epoch 1 {_fmt(first)} -> last {_fmt(last)}; Kendall tau vs epoch "
            f"{_fmt([t for t, _ in taus], '.2f')} (one-sided p "
            f"{_fmt([p for _, p in taus], '.1e')}, bar p < {TREND_P:g}); test loss tau "
            f"{_fmt([t for t, _ in test_taus], '.2f')}; share of falling steps (train, test) "
            f"{[(round(a, 2), round(b, 2)) for a, b in shares]}; {len(runs)} seeds", sub_checks)


def _count(flags: Iterable[bool]) -> str:
    values = list(flags)
    return f"{sum(values)} of {len(values)} seeds"


def lower_in_every_seed(evidence: AutoencoderEvidence, metric: str, winner: str,
                        loser: str) -> tuple[bool, str]:
    """Whether ``winner``'s ``metric`` is below ``loser``'s in every seed, with the margins."""
    seeds = _seeds(evidence).values()
    w = [s[winner].metric(metric) for s in seeds]
    los = [s[loser].metric(metric) for s in seeds]
    margins = [(b - a) / b for a, b in zip(w, los, strict=True)]
    ok = all(math.isfinite(a) and a < b for a, b in zip(w, los, strict=True))
    return ok, (f"{metric} {winner} {_fmt(w)} vs {loser} {_fmt(los)}, relative margin min "
                f"{min(margins):+.1%}")


def judge_a2(evidence: AutoencoderEvidence) -> Judgement:
    """A2: the autoencoder reconstructs the test images with lower MSE than PCA."""
    ok, reason = lower_in_every_seed(evidence, "test_mse", SHALLOW, "pca")
    return Judgement.holds(ok, f"{reason}; {_dead(evidence)}")


def judge_a3(evidence: AutoencoderEvidence) -> Judgement:
    """A3: the autoencoder's codes separate the digits better (kNN accuracy decides)."""
    seeds = list(_seeds(evidence).values())
    parts, above = [], {}
    for metric in ("knn_acc", "silhouette"):
        ae = [s[SHALLOW].metric(metric) for s in seeds]
        pca = [s["pca"].metric(metric) for s in seeds]
        above[metric] = [_above(a, b) for a, b in zip(ae, pca, strict=True)]
        parts.append(f"{metric} autoencoder {_fmt(ae, '.3f')} vs pca {_fmt(pca, '.3f')}")
    sub_checks = {"silhouette above PCA's": _count(above["silhouette"])}
    return Judgement.holds(all(above["knn_acc"]), "; ".join(parts) + f"; {_dead(evidence)}",
                           sub_checks)


def binomial_tails(count: int, n: int, p: float) -> tuple[float, float]:
    """P(X <= count) and P(X >= count) for X ~ Binomial(n, p)."""
    return float(stats.binom.cdf(count, n, p)), float(stats.binom.sf(count - 1, n, p))


def consistent(count: int, share: float, n: int = N_TEN) -> bool:
    """Whether ``count`` of ``n`` passes a two-sided binomial test at 5% given ``share``."""
    low, high = binomial_tails(count, n, share)
    return min(low, high) >= TAIL


def judge_a4(evidence: AutoencoderEvidence) -> Judgement:
    """A4: autoencoder reconstructions are more recognisable than PCA's, at the report's rates."""
    seeds = list(_seeds(evidence).values())
    ae = [s[SHALLOW].recognisable_share for s in seeds]
    pca = [s["pca"].recognisable_share for s in seeds]
    better = all(a > b for a, b in zip(ae, pca, strict=True))
    fits = {m: all(consistent(REPORT_TEN[m], s[m].recognisable_share) for s in seeds)
            for m in REPORT_TEN}
    ten = {m: [s[m].ten_correct for s in seeds] for m in (SHALLOW, "pca")}
    return Judgement.holds(
        better and all(fits.values()),
        f"recognised by the convnet, whole test set: autoencoder {_fmt(ae, '.1%')} vs pca "
        f"{_fmt(pca, '.1%')} (higher every seed: {better}); report's 9/10 consistent: "
        f"{fits[SHALLOW]}, 5/10 consistent: {fits['pca']}; ten panel images recognised: "
        f"autoencoder {ten[SHALLOW]}/10, pca {ten['pca']}/10; {_dead(evidence)}")


def judge_a5(evidence: AutoencoderEvidence) -> Judgement:
    """A5: the shallow autoencoder reconstructs better than the deep one it started from."""
    ok, reason = lower_in_every_seed(evidence, "test_mse", SHALLOW, DEEP)
    return Judgement.holds(ok, f"{reason}; {_dead(evidence)}, deep {_dead(evidence, DEEP)}")


# --------------------------------------------------------------------------- statistics


def _paired(evidence: AutoencoderEvidence, metric: str, a: str, b: str,
            higher_is_better: bool) -> dict[str, Comparison]:
    """``a`` vs ``b`` on ``metric`` per seed, or nothing when a value is undefined (None)."""
    seeds = list(_seeds(evidence).values())
    x, y = [s[a].metric(metric) for s in seeds], [s[b].metric(metric) for s in seeds]
    if any(v is None for v in (*x, *y)):
        return {}
    return {f"{a} vs {b}, {metric}": (x, y, higher_is_better)}


def comparisons_a2(evidence: AutoencoderEvidence) -> dict[str, Comparison]:
    """Autoencoder vs PCA, test MSE per pixel (lower is better)."""
    return _paired(evidence, "test_mse", SHALLOW, "pca", higher_is_better=False)


def comparisons_a3(evidence: AutoencoderEvidence) -> dict[str, Comparison]:
    """Autoencoder vs PCA codes: kNN accuracy and silhouette (when defined in every seed)."""
    return {**_paired(evidence, "knn_acc", SHALLOW, "pca", higher_is_better=True),
            **_paired(evidence, "silhouette", SHALLOW, "pca", higher_is_better=True)}


def comparisons_a4(evidence: AutoencoderEvidence) -> dict[str, Comparison]:
    """Autoencoder vs PCA, share of test reconstructions the convnet reads correctly."""
    return _paired(evidence, "recognisable_share", SHALLOW, "pca", higher_is_better=True)


def comparisons_a5(evidence: AutoencoderEvidence) -> dict[str, Comparison]:
    """Shallow vs deep autoencoder, test MSE per pixel (lower is better)."""
    return _paired(evidence, "test_mse", SHALLOW, DEEP, higher_is_better=False)
