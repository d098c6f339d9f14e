"""A new section is one package and one line: the example section joins everything.

``tests/example_section`` is a complete section (claims, protocol, typed
evidence, judge, figure, falsification world, robustness neighbourhood).
With the one line that registers it, every front end finds it; without it,
nothing does.
"""

from __future__ import annotations

import json
from pathlib import Path

import example_section
import pytest
from example_section.evidence import CoinEvidence
from example_section.judge import judge_x1

from ex3.cli import main
from ex3.engine import registry as engine_registry
from ex3.engine.evaluate import evaluate_claim
from ex3.engine.parallel import planned_runs
from ex3.engine.robustness import ROBUST, run_robustness
from ex3.engine.sensitivity import all_worlds, falsify
from ex3.errors import UsageError
from ex3.report.figures import registry as figure_registry
from ex3.studies import registry
from ex3.studies.contract import RunContext, Verdict


@pytest.fixture
def with_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    # The one line a new section adds to ex3/studies/registry.py:
    monkeypatch.setattr(registry, "STUDIES", (*registry.STUDIES, example_section.STUDY))


def test_without_its_line_the_section_is_unknown() -> None:
    with pytest.raises(UsageError, match="unknown claim id 'X1'"):
        engine_registry.get_claim("X1")


def test_the_claim_is_measured_judged_and_written_as_typed_evidence(with_the_example) -> None:
    claim = engine_registry.get_claim("X1")
    assert engine_registry.study_of(claim) is example_section.STUDY
    result = evaluate_claim(claim, RunContext())
    assert result.verdict is Verdict.REPRODUCED
    assert result.protocol == {"seeds": [0, 1, 2], "tosses": 1000, "p_heads": 0.5}
    assert set(result.evidence["heads_share"]) == {"0", "1", "2"}
    assert CoinEvidence.from_json({**result.evidence, "protocol": result.protocol}
                                  ) == claim.measure(RunContext())  # type: ignore[misc]


def test_the_judge_is_pure_both_ways() -> None:
    fair = CoinEvidence(tosses=1000, heads_share={"0": 0.49, "1": 0.52})
    biased = CoinEvidence(tosses=1000, heads_share={"0": 0.49, "1": 0.61})
    assert judge_x1(fair).verdict is Verdict.REPRODUCED
    assert judge_x1(biased).verdict is Verdict.NOT_REPRODUCED


def test_its_world_figure_and_neighbourhood_are_found(with_the_example) -> None:
    [world] = [w for w in all_worlds() if w.claim_id == "X1"]
    assert falsify(world)["caught"] is True
    assert "coin_heads_share" in figure_registry()
    assert planned_runs([engine_registry.get_claim("X1")], RunContext()) == []
    [result] = run_robustness([engine_registry.get_claim("X1")], RunContext())
    assert result.robustness["qualifier"] == ROBUST
    assert (result.robustness["holds"], result.robustness["of"]) == (2, 2)


def test_ex3_verify_runs_it_and_asks_for_a_pin(with_the_example, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["verify", "--only", "X1", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 1 and "CHANGED: no pinned verdict" in printed  # pins are the gate
    document = json.loads((out / "verdicts.json").read_text())
    [x1] = document["claims"]
    assert (x1["id"], x1["verdict"], x1["expected"]) == ("X1", "REPRODUCED", None)
    assert (out / "coin_heads_share.png").stat().st_size > 0
    assert "X1" in (out / "report.html").read_text()
