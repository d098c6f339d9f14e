"""Judging the learning-rate claims (pure functions of the evidence).

Each run's evidence holds per-epoch curves (index 0: before training).
Declared thresholds:

* "converges" (L1) means the run stays finite and its final train loss is at
  most CONVERGED = 0.5 of its initial loss (at initialisation the loss is
  ln 10 ~ 2.30 for any rate, so this is scale-free);
* "very slow" (L2) means the loss does fall (final < initial) but the run
  covers less than SLOW = 0.5 of the loss reduction that the best rate of the
  same seed achieves in the same epochs;
* "best" (L3) means, in every seed, the lowest final train and test loss and
  the highest final train and test accuracy of the grid, and the fastest
  convergence: the fewest epochs to reach TARGET_ACC = 0.9 test accuracy
  (ties allowed for speed only);
* "no learning-rate choice needed" (L4) means Adam's final test accuracy
  varies by at most SPREAD = 0.05 (5 points) across the whole grid, in every
  seed.
"""

from __future__ import annotations

import math

from ex3.studies.contract import Judgement
from ex3.studies.learning_rate.evidence import SweepEvidence, SweepRun, rate_key

CONVERGED = 0.5
SLOW = 0.5
TARGET_ACC = 0.9
SPREAD = 0.05
HIGHEST, LOWEST, BEST = rate_key(1.0), rate_key(1e-4), rate_key(0.1)


def _final(run: SweepRun, key: str) -> float:
    value = run.curve(key)[-1]
    return math.nan if value is None else float(value)


def converged(run: SweepRun) -> bool:
    """Finite, and the final train loss at most CONVERGED x the initial one."""
    final = _final(run, "train_loss")
    return (not run.diverged and math.isfinite(final)
            and final <= CONVERGED * run.train_loss[0])


def epochs_to_target(run: SweepRun) -> int | None:
    """The first epoch whose test accuracy reaches TARGET_ACC, or None."""
    for epoch, acc in enumerate(run.test_acc):
        if acc is not None and math.isfinite(acc) and acc >= TARGET_ACC:
            return epoch
    return None


def judge_l1(evidence: SweepEvidence) -> Judgement:
    """L1: learning rate 1 does not converge, in every seed."""
    runs = [s[HIGHEST] for s in evidence.seeds()]
    finals = [_final(r, "train_loss") for r in runs]
    ok = not any(converged(r) for r in runs)
    return Judgement.holds(ok, f"lr 1: final train loss per seed {_fmt(finals)} vs initial "
                           f"{_fmt([r.train_loss[0] for r in runs])}, diverged "
                           f"{[r.diverged for r in runs]} (converged means <= "
                           f"{CONVERGED} x initial)")


def _progress(run: SweepRun, best_final: float) -> float:
    start, final = run.train_loss[0], _final(run, "train_loss")
    return (start - final) / max(start - best_final, 1e-12)


def _best_final_loss(seed: dict[str, SweepRun]) -> float:
    finals = [_final(r, "train_loss") for r in seed.values()]
    return min(f for f in finals if math.isfinite(f))


def judge_l2(evidence: SweepEvidence) -> Judgement:
    """L2: lr 1e-4 decreases the loss, but covers < SLOW of the best rate's reduction."""
    progress, falling = [], []
    for seed in evidence.seeds():
        run = seed[LOWEST]
        falling.append(_final(run, "train_loss") < run.train_loss[0])
        progress.append(_progress(run, _best_final_loss(seed)))
    ok = all(falling) and max(progress) < SLOW
    return Judgement.holds(ok, f"lr 1e-4: loss falling {falling}; share of the best rate's "
                           f"loss reduction per seed {_fmt(progress)} (very slow means < {SLOW})")


def judge_l3(evidence: SweepEvidence) -> Judgement:
    """L3: lr 0.1 has the best final losses and accuracies and the fastest convergence."""
    problems = []
    for name, seed in evidence.per_seed.items():
        for key, better in (("train_loss", min), ("test_loss", min),
                            ("train_acc", max), ("test_acc", max)):
            values = {lr: _final(r, key) for lr, r in seed.items()
                      if math.isfinite(_final(r, key))}
            winner = better(values, key=values.__getitem__)
            if winner != BEST:
                ours = values.get(BEST, math.nan)
                problems.append(f"seed {name}: best {key} at lr {winner} "
                                f"({values[winner]:.4f} vs lr 0.1 {ours:.4f})")
        speed = {lr: epochs_to_target(r) for lr, r in seed.items()}
        reached = [e for e in speed.values() if e is not None]
        if speed[BEST] is None or (reached and speed[BEST] > min(reached)):
            problems.append(f"seed {name}: epochs to {TARGET_ACC:.0%} test acc {speed}")
    if problems:
        return Judgement.holds(False, "lr 0.1 not best: " + "; ".join(problems))
    finals = [_final(s[BEST], "test_acc") for s in evidence.seeds()]
    return Judgement.holds(True, f"lr 0.1 best on train/test loss and accuracy and fastest to "
                           f"{TARGET_ACC:.0%} in every seed; its test acc {_fmt(finals)}")


def judge_l4(evidence: SweepEvidence) -> Judgement:
    """L4: Adam's final test accuracy varies by at most SPREAD over the grid."""
    spreads, detail = [], []
    for seed in evidence.seeds():
        accs = {lr: _final(r, "test_acc") for lr, r in seed.items()}
        finite = [a if math.isfinite(a) else 0.0 for a in accs.values()]
        spreads.append(max(finite) - min(finite))
        detail.append("{" + ", ".join(f"{lr}: {a:.3f}" for lr, a in accs.items()) + "}")
    ok = max(spreads) <= SPREAD
    return Judgement.holds(ok, f"Adam final test acc by lr per seed {'; '.join(detail)}; "
                           f"spread {_fmt(spreads)} (learning-rate free means <= {SPREAD})")


def _fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.3g}" for v in values) + "]"


def comparisons_l3(evidence: SweepEvidence) -> dict[str, tuple[list[float], list[float], bool]]:
    """Lr 0.1 vs the best other rate of the same seed, final test accuracy."""
    ours, others = [], []
    for seed in evidence.seeds():
        ours.append(_final(seed[BEST], "test_acc"))
        rivals = [_final(r, "test_acc") for lr, r in seed.items() if lr != BEST]
        others.append(max((a for a in rivals if math.isfinite(a)), default=0.0))
    return {"lr 0.1 vs best other rate, test accuracy": (ours, others, True)}
