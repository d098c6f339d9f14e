"""Robustness: declared neighbourhoods, their enumeration, the pure qualifier, the command."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import pytest

from ex3.cli import main
from ex3.engine import robustness
from ex3.engine.claim import Claim, Judgement, RunContext, Verdict
from ex3.engine.registry import all_claims, studies
from ex3.engine.robustness import FRAGILE, NOT_VARIED, ROBUST, Outcome, qualify, run_robustness
from ex3.report.robustness import map_png, robustness_markdown, table_lines
from ex3.studies.contract import Evidence, Study
from ex3.studies.neighbourhood import Choice, Neighbourhood, Option, neighbours

LR = Choice("learning rate", "0.01", (Option("0.003", (("lr", 0.003),)),
                                      Option("0.1", (("lr", 0.1),))))
BATCH = Choice("batch size", "32", (Option("128", (("batch_size", 128),)),))
EPOCHS = Choice("epochs", "10", (Option("5", (("epochs", 5),)), Option("20", (("epochs", 20),))))


# ----------------------------------------------------------------- the qualifier (pure)

def test_a_verdict_the_same_everywhere_is_robust_with_k_of_n():
    outcomes = [Outcome((("learning rate", v),), Verdict.REPRODUCED, "ok") for v in ("a", "b")]
    rob = qualify(Verdict.REPRODUCED, outcomes, ["learning rate"])
    assert rob["qualifier"] == ROBUST and (rob["holds"], rob["of"]) == (3, 3)
    assert rob["flips_with"] == []


def test_a_verdict_one_value_flips_is_fragile_naming_that_value_and_its_numbers():
    outcomes = [Outcome((("learning rate", "0.003"),), Verdict.REPRODUCED, "fine"),
                Outcome((("learning rate", "0.1"),), Verdict.NOT_REPRODUCED,
                        "test acc 0.41 < 0.92"),
                Outcome((("batch size", "128"),), Verdict.REPRODUCED, "fine")]
    rob = qualify(Verdict.REPRODUCED, outcomes, ["learning rate", "batch size"])
    assert rob["qualifier"] == FRAGILE and (rob["holds"], rob["of"]) == (3, 4)
    assert rob["flips_with"] == [{"choice": "learning rate", "value": "0.1", "flipped": 1,
                                  "protocols": 1}]
    assert "learning rate = 0.1" in rob["reason"] and "0.41 < 0.92" in rob["reason"]
    assert "batch size" not in rob["reason"].split("e.g.")[0]


def test_in_a_factorial_the_value_that_always_flips_is_named_first():
    outcomes = []
    for lr in ("0.003", "0.1"):
        for batch in ("32", "128"):
            flips = lr == "0.1"
            outcomes.append(Outcome((("learning rate", lr), ("batch size", batch)),
                                    Verdict.NOT_REPRODUCED if flips else Verdict.REPRODUCED,
                                    "r"))
    rob = qualify(Verdict.REPRODUCED, outcomes, ["learning rate", "batch size"])
    assert rob["flips_with"][0] == {"choice": "learning rate", "value": "0.1", "flipped": 2,
                                    "protocols": 2}


def test_no_open_choice_is_not_varied_with_its_reason():
    rob = qualify(Verdict.REPRODUCED, [], [], "exact: nothing to vary")
    assert rob["qualifier"] == NOT_VARIED and rob["reason"] == "exact: nothing to vary"
    assert rob["holds"] is None


# ----------------------------------------------------------- enumerating a neighbourhood

def test_the_factorial_is_every_combination_but_the_declared_protocol():
    found = neighbours(Neighbourhood(("X1",), (LR, BATCH, EPOCHS), "factorial"))
    assert len(found) == 3 * 2 * 3 - 1
    assert all(n.changes for n in found)
    assert len({n.overrides for n in found}) == len(found)


def test_one_at_a_time_is_each_value_alone_plus_a_seeded_sample():
    nb = Neighbourhood(("X1",), (LR, BATCH, EPOCHS), "one_at_a_time")
    alone = neighbours(nb)
    assert [n.label for n in alone] == ["learning rate = 0.003", "learning rate = 0.1",
                                        "batch size = 128", "epochs = 5", "epochs = 20"]
    extra = neighbours(nb, budget=3, seed=7)
    assert extra[:5] == alone and len(extra) == 8
    assert all(len(n.changes) > 1 for n in extra[5:])
    assert extra == neighbours(nb, budget=3, seed=7)
    assert len(neighbours(nb, budget=1000)) == 3 * 2 * 3 - 1
    with pytest.raises(ValueError):
        neighbours(nb, budget=-1)


def test_a_neighbourhood_refuses_a_choice_on_a_fixed_field_or_twice_the_same_field():
    with pytest.raises(ValueError, match="fixes"):
        Neighbourhood(("X1",), (LR,), fixed=("lr",))
    with pytest.raises(ValueError):
        Neighbourhood(("X1",), (LR, Choice("rate again", "1", (Option("2", (("lr", 2),)),))))
    with pytest.raises(ValueError):
        Choice("empty", "1", ())
    with pytest.raises(ValueError):
        Neighbourhood(("X1",))  # no choice and no reason why


# -------------------------------------------------------- the declared neighbourhoods

def _protocol_fields(study: str) -> set[str]:
    from ex3.studies.autoencoder.study import AutoencoderProtocol
    from ex3.studies.mnist.study import MnistProtocol
    from ex3.studies.toy.study import ToyProtocol

    cls = {"toy": ToyProtocol, "mnist": MnistProtocol,
           "autoencoder": AutoencoderProtocol}[study]
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_declared_neighbourhoods_vary_only_open_fields_of_their_protocol(profile):
    for owner in studies():
        nb = owner.neighbourhood(profile)
        study = owner.name
        assert nb is not None, study
        if not nb.choices:
            assert nb.no_choice
            continue
        fields = _protocol_fields(study)
        assert set(nb.fixed) <= fields, study
        for choice in nb.choices:
            assert choice.fields <= fields, (study, choice.name)
            assert not choice.fields & set(nb.fixed), (study, choice.name)
        # never the architectures, the seeds, the data or (for MNIST) Keras' defaults
        assert {"seeds"} <= set(nb.fixed)
        assert "models" in nb.fixed or study == "toy"


def test_the_toy_start_choice_keeps_the_architecture():
    from ex3.models.toy import TOY_MODELS
    from ex3.studies.toy.neighbourhood import NORMAL_START

    for _, slot, model in NORMAL_START:
        a, b = TOY_MODELS[slot](), TOY_MODELS[model]()
        assert type(a) is type(b)
        assert [p.shape for p in a.parameters()] == [p.shape for p in b.parameters()]


def test_every_testable_claim_is_in_exactly_one_neighbourhood():
    declared = robustness.declared_neighbourhoods("full")
    testable = {c.id for c in all_claims() if c.not_testable is None}
    assert testable <= set(declared)
    assert {cid for cid, (_, nb) in declared.items() if not nb.choices} == {
        "L1", "L2", "L3", "L4", "S1", "G1", "G2"}


# ------------------------------------------------ measuring: a made-up claim end to end

@dataclass(frozen=True, kw_only=True)
class RateEvidence(Evidence):
    lr: float


def _fake_claim(flips_at: float) -> Claim:
    def measure(ctx: RunContext) -> RateEvidence:
        return RateEvidence(lr=dict(ctx.overrides).get("lr", 0.01))

    def judge(evidence: RateEvidence) -> Judgement:
        ok = not math.isclose(evidence.lr, flips_at)
        return Judgement.holds(ok, f"lr {evidence.lr}: {'fine' if ok else 'diverges'}")

    return Claim("X1", "Made up", "q", "s", "t", measure, judge, budget_free=True)


class FakeStudy(Study):
    name = "fake"

    def claims(self) -> tuple[Claim, ...]:
        return ()

    def protocol(self, ctx: RunContext) -> None:
        return None

    def neighbourhood(self, profile: str) -> Neighbourhood:
        return Neighbourhood(("X1",), (LR, BATCH))


@pytest.fixture
def fake_study(monkeypatch):
    study = FakeStudy()
    monkeypatch.setattr(robustness, "studies", lambda: (study,))
    return study


def test_a_made_up_claim_that_flips_with_one_choice_is_fragile_naming_it(fake_study):
    [result] = run_robustness([_fake_claim(flips_at=0.1)], RunContext())
    rob = result.robustness
    assert result.verdict is Verdict.REPRODUCED
    assert rob["qualifier"] == FRAGILE and (rob["holds"], rob["of"]) == (3, 4)
    assert rob["flips_with"][0]["choice"] == "learning rate"
    assert rob["flips_with"][0]["value"] == "0.1" and "diverges" in rob["reason"]


def test_a_made_up_claim_that_holds_everywhere_is_robust(fake_study):
    [result] = run_robustness([_fake_claim(flips_at=99.0)], RunContext())
    assert result.robustness["qualifier"] == ROBUST
    assert (result.robustness["holds"], result.robustness["of"]) == (4, 4)


def test_the_study_prepares_the_declared_context_first_then_the_neighbours(fake_study):
    seen = []
    fake_study.prepare = lambda contexts, workers: seen.append((contexts, workers))
    run_robustness([_fake_claim(flips_at=0.1)], RunContext(), workers=3)
    [(contexts, workers)] = seen
    assert workers == 3 and contexts[0] == RunContext() and len(contexts) == 4


def test_the_report_shows_the_qualifier_table_and_the_map(fake_study):
    [result] = run_robustness([_fake_claim(flips_at=0.1)], RunContext())
    doc = {"profile": "quick", "claims": [result.to_json()],
           "robustness": {"design_note": "n", "neighbourhoods": {}}}
    assert any("| X1 | REPRODUCED | FRAGILE | 3 of 4 |" in line for line in table_lines(doc))
    assert "learning rate = 0.1 (1/1)" in robustness_markdown(doc)
    assert map_png(doc)[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------- the command

@pytest.mark.parametrize("argv", [["--budget", "-1"], ["--budget", "x"], ["--only", "T9"],
                                  ["--seed", "-2"], ["--scheduler", "tcp://h:1"]])
def test_bad_arguments_exit_2_with_one_line(argv, capsys, tmp_path):
    try:
        code = main(["robustness", "--out", str(tmp_path), *argv])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1


def test_the_page_claims_are_not_varied_and_said_so(tmp_path, capsys):
    code = main(["robustness", "--only", "S1,G2", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "NOT VARIED" in out
    assert "exact" in (tmp_path / "robustness.md").read_text()
    import json

    doc = json.loads((tmp_path / "verdicts.json").read_text())
    assert {c["robustness"]["qualifier"] for c in doc["claims"]} == {NOT_VARIED}
    assert "Robustness" in (tmp_path / "report.html").read_text()


# ------------------------------------------------------------- the recorded qualifier

def test_a_recorded_qualifier_round_trips_and_reaches_verify(fake_study, tmp_path,
                                                             monkeypatch):
    from ex3.cli.common import read_record
    from ex3.engine import robustness_record
    from ex3.engine.evaluate import evaluate_claim

    claim = _fake_claim(flips_at=0.1)
    [result] = run_robustness([claim], RunContext())
    text = robustness_record.render({"full": {"X9": {
        "qualifier": "ROBUST", "holds": 2, "of": 2, "reason": "r", "flips_with": []}},
        "quick": {"X8": {"qualifier": "ROBUST", "holds": 2, "of": 2, "reason": "r",
                         "flips_with": []}}},
        "quick", [result], "note")
    path = tmp_path / "robustness.toml"
    path.write_text(text)
    table = read_record(path, "--record", "robustness")
    assert table["full"]["X9"]["qualifier"] == "ROBUST"  # other profiles are kept
    assert table["quick"]["X8"]["qualifier"] == "ROBUST"  # and other claims of this one
    assert table["quick"]["X1"]["measured"] == "note"
    assert table["quick"]["X1"]["qualifier"] == FRAGILE
    assert table["quick"]["X1"]["flips_with"] == ["learning rate = 0.1 (1/1)"]
    monkeypatch.setattr(robustness_record, "_table", lambda: table)
    shown = evaluate_claim(claim, RunContext()).robustness
    assert shown["qualifier"] == FRAGILE and shown["recorded"] and shown["holds"] == 3
    assert evaluate_claim(claim, RunContext(profile="full")).robustness == {}
    assert evaluate_claim(claim, RunContext(seeds=1)).robustness == {}


def test_record_refuses_a_folder_or_a_damaged_file(tmp_path):
    from ex3.cli.common import record_target
    from ex3.errors import UsageError

    with pytest.raises(UsageError, match="not a regular file"):
        record_target(str(tmp_path), "--record", "robustness", "r.toml")
    bad = tmp_path / "r.toml"
    bad.write_text("[quick\n")
    with pytest.raises(UsageError, match="not a readable robustness file"):
        record_target(str(bad), "--record", "robustness", "r.toml")
    with pytest.raises(UsageError, match="does not exist"):
        record_target(str(tmp_path / "no" / "r.toml"), "--record", "robustness", "r.toml")
