"""``ex3 stability`` and ``ex3 verify --sensitivity``: arguments, outputs, and how they read."""

from __future__ import annotations

import json

import pytest

from ex3.engine.claim import ClaimResult, Verdict
from ex3.engine.stability import aggregate, stability_table
from ex3.report.html import render_html
from ex3.report.verdicts import build_document, render_markdown, sensitivity_line
from tests.test_cli import assert_one_line_error, invoke


@pytest.mark.parametrize(("argv", "words"), [
    (["stability", "--master-seeds", "3"], ("--master-seeds", "at least 5")),
    (["stability", "--master-seeds", "five"], ("--master-seeds", "five")),
    (["stability", "--only", "Z9"], ("Z9",)),
    (["stability", "--profile", "slow"], ("--profile",)),
    (["verify", "--sensitivity", "--only", "Q1"], ("Q1",)),
])
def test_bad_arguments_exit_2_with_one_line(argv, words, capsys, tmp_path):
    code, _, err = invoke([*argv, "--out", str(tmp_path / "out")], capsys)
    assert_one_line_error(code, err, *words)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_stability_writes_the_rate_of_each_claim(capsys, tmp_path):
    out = tmp_path / "out"
    code, printed, _ = invoke(["stability", "--only", "G1,C1", "--out", str(out)], capsys)
    assert code == 0, printed
    doc = json.loads((out / "verdicts.json").read_text())
    assert doc["stability"]["master_seeds"] == [0, 1, 2, 3, 4]
    rates = {c["id"]: c["evidence"]["rate"] for c in doc["claims"]}
    assert rates == {"G1": 1.0, "C1": 1.0}
    assert "| G1 | REPRODUCED | REPRODUCED | 100% |" in (out / "stability.md").read_text()
    assert 'id="stability"' in (out / "report.html").read_text()


def test_verify_with_sensitivity_reports_the_worlds_caught(capsys, tmp_path):
    out = tmp_path / "out"
    code, printed, _ = invoke(["verify", "--only", "S1,G1", "--sensitivity", "--out", str(out)],
                              capsys)
    assert code == 0, printed
    sens = json.loads((out / "verdicts.json").read_text())["sensitivity"]
    assert (sens["tried"], sens["caught"], sens["claims_covered"]) == (2, 2, ["G1", "S1"])
    assert "Sensitivity: 2 of 2 falsification worlds caught (100%)" in (
        out / "verdicts.md").read_text()
    assert 'id="sensitivity"' in (out / "report.html").read_text()


def _result(claim_id: str, verdict: Verdict) -> ClaimResult:
    return ClaimResult(id=claim_id, section="s", quote="q", summary="s", threshold="t",
                       verdict=verdict, expected=Verdict.REPRODUCED, reason="r")


def test_an_unstable_claim_reads_as_unstable_in_every_output():
    flipping = aggregate({0: _result("M3", Verdict.REPRODUCED),
                          1: _result("M3", Verdict.NOT_REPRODUCED)})
    table = stability_table([flipping])
    doc = build_document([flipping], profile="quick", duration_s=1.0, train_threads=1,
                         extra={"stability": {"master_seeds": [0, 1], "table": table}})
    assert "| M3 | UNSTABLE | REPRODUCED | 50% |" in render_markdown(doc)
    page = render_html(json.loads(json.dumps(doc)), {})
    assert "UNSTABLE" in page and "50%" in page


def test_a_missed_world_is_shown_and_worlds_on_the_sample_are_not_counted():
    worlds = [{"claim": "M3", "world": "w", "expected": "REPRODUCED",
               "measured": "NOT REPRODUCED", "caught": False, "data_kind": "official"},
              {"claim": "M2", "world": "v", "expected": "NOT REPRODUCED",
               "measured": "REPRODUCED", "caught": False, "data_kind": "sample"}]
    sens = {"tried": 1, "caught": 0, "not_tried_on_sample": 1, "worlds": worlds}
    line = sensitivity_line(sens)
    assert "0 of 1" in line and "(0%)" in line and "1 measured on the bundled sample" in line
    doc = build_document([], profile="quick", duration_s=1.0, train_threads=1,
                         extra={"sensitivity": sens})
    assert "| M3 | w | REPRODUCED | NOT REPRODUCED | NO |" in render_markdown(doc)
    assert "<b>NO</b>" in render_html(doc, {})
