"""One answer per claim: a reduced budget states a verdict only where it agrees with the full one.

The full profile on the official MNIST, with each study's default seeds, is
the claim's protocol; its verdict is pinned in ``pinned.toml`` ``[full]``.
Every other run of a claim whose protocol depends on the budget (the MNIST,
learning-rate and autoencoder sections; the toy study and the handwritten
page run one protocol everywhere and need no MNIST) is a *reduced budget*
that estimates that verdict:

* ``quick``: the quick profile on the official MNIST, default seeds;
* ``sample``: any profile on the bundled 3,000/1,000-image sample, default seeds;
* ``reduced``: anything else (``--seeds``, say), for which no agreement is measured.

Declared rule, fixed before measuring: a reduced budget states its judge's
verdict only when

1. its agreement with the full verdict was measured
   (``ex3 stability --record-agreement``, at least ``MIN_MASTER_SEEDS``
   master seeds) against the full verdict pinned now, and it gave that
   verdict under every master seed; and
2. this run's judge gives that same verdict.

Otherwise the verdict is INCONCLUSIVE, and its reason quotes what the judge
measured, the agreement and the command that decides. A reduced budget can
therefore confirm the full protocol's verdict or say it cannot decide; it
never states the opposite. SKIPPED (data missing) and NOT TESTABLE pass
through unchanged. The agreement table is ``agreement.toml`` beside the pins,
reviewed like them.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ex3.engine.claim import Claim, Judgement, RunContext, Verdict

#: The fewest master seeds ``ex3 stability`` accepts, and that a recorded agreement needs:
#: with fewer, a rate says little.
MIN_MASTER_SEEDS = 5
FULL, QUICK, SAMPLE, REDUCED = "full", "quick", "sample", "reduced"
#: The budget of a claim whose one protocol runs in every profile (toy study, handwritten page).
SAME = "same in every profile"
#: The reduced budgets whose agreement ``ex3 stability --record-agreement`` measures.
MEASURED_BUDGETS = (QUICK, SAMPLE)
#: Verdicts a reduced budget passes through as they are: they answer no question of the report.
PASS_THROUGH = (Verdict.SKIPPED, Verdict.NOT_TESTABLE)


@dataclass(frozen=True)
class Agreement:
    """A reduced budget's verdicts under each master seed, against the full verdict."""

    full: Verdict
    per_master_seed: tuple[Verdict, ...]

    @property
    def agreed(self) -> int:
        return sum(v == self.full for v in self.per_master_seed)

    @property
    def tried(self) -> int:
        return len(self.per_master_seed)

    @property
    def complete(self) -> bool:
        """Agreement in every master seed, over enough of them to mean something."""
        return self.tried >= MIN_MASTER_SEEDS and self.agreed == self.tried


def budget_of(ctx: RunContext, data_kind: str | None, claim: Claim) -> str:
    """Which budget a run of ``claim`` under ``ctx`` on data of ``data_kind`` is."""
    if claim.budget_free:
        return SAME
    if ctx.seeds is not None:
        return REDUCED
    if data_kind == "sample":
        return SAMPLE
    return FULL if ctx.profile == FULL else QUICK


@functools.cache
def _table() -> dict[str, Any]:
    path = resources.files("ex3.engine").joinpath("agreement.toml")
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def parse_table(table: Mapping[str, Any]) -> dict[str, dict[str, Agreement]]:
    """``agreement.toml``'s contents as ``result[budget][claim_id]``."""
    return {budget: {cid: Agreement(Verdict(entry["full"]),
                                    tuple(Verdict(v) for v in entry["per_master_seed"]))
                     for cid, entry in table.get(budget, {}).items() if isinstance(entry, dict)}
            for budget in MEASURED_BUDGETS}


def recorded(budget: str, claim_id: str) -> Agreement | None:
    """The measured agreement of ``budget`` for ``claim_id``, if there is one."""
    return parse_table(_table()).get(budget, {}).get(claim_id)


def deciding_command(claim_id: str, data_dir: str | None) -> str:
    """The command whose run decides ``claim_id``: the full protocol on the official MNIST."""
    return (f"ex3 verify --profile full --only {claim_id} "
            f"--data-dir {data_dir or 'DIR_WITH_MNIST'}")


def settle(claim: Claim, judgement: Judgement, budget: str, full_verdict: Verdict | None,
           agreement: Agreement | None, data_dir: str | None) -> tuple[Judgement, dict[str, Any]]:
    """Apply the declared rule; the judgement to report and the ``agreement`` record."""
    record: dict[str, Any] = {"budget": budget,
                              "full_verdict": None if full_verdict is None else str(full_verdict)}
    if agreement is not None:
        record.update(agreed=agreement.agreed, master_seeds=agreement.tried,
                      recorded_against=str(agreement.full))
    if budget in (FULL, SAME) or judgement.verdict in PASS_THROUGH:
        return judgement, record
    command = deciding_command(claim.id, data_dir)
    record["deciding_command"] = command
    why = _why_undecided(judgement.verdict, budget, full_verdict, agreement)
    if why is None:
        return judgement, record
    reason = (f"{budget} budget cannot decide ({why}); its judge measured "
              f"{judgement.verdict}: {judgement.reason}; decide with: {command}")
    return Judgement(Verdict.INCONCLUSIVE, reason, judgement.sub_checks), record


def _why_undecided(measured: Verdict, budget: str, full_verdict: Verdict | None,
                   agreement: Agreement | None) -> str | None:
    """Why this reduced run may not state ``measured``; None when it may."""
    if full_verdict is None:
        return "no full-protocol verdict is pinned"
    if agreement is None:
        return f"its agreement with the full protocol ({full_verdict}) was never measured"
    if agreement.full != full_verdict:
        return (f"its agreement was measured against {agreement.full}, the full protocol now "
                f"says {full_verdict}")
    if not agreement.complete:
        few = (f", at least {MIN_MASTER_SEEDS} are needed" if agreement.tried < MIN_MASTER_SEEDS
               else "")
        return (f"it gave the full protocol's {full_verdict} under {agreement.agreed} of "
                f"{agreement.tried} master seeds{few}")
    if measured != full_verdict:
        return f"it agreed under {agreement.tried} of {agreement.tried} master seeds, not here"
    return None


def agreement_toml(budget: str, per_claim: Mapping[str, Sequence[Verdict]],
                   full: Mapping[str, Verdict | None], note: str) -> str:
    """The ``[budget]`` section of ``agreement.toml`` from per-master-seed judge verdicts."""
    lines = [f"[{budget}]", f"measured = {_quote(note)}", ""]
    for cid, verdicts in per_claim.items():
        if full.get(cid) is None:
            continue
        lines += [f"[{budget}.{cid}]", f"full = {_quote(str(full[cid]))}",
                  "per_master_seed = [" + ", ".join(_quote(str(v)) for v in verdicts) + "]", ""]
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
