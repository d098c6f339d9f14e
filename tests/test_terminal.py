"""What a person reads of a run: the header, the claims' blocks and the summary.

A verdict on screen must come with what produced it (profile, data, seeds,
threads, output folder) and why it is what it is, fitted to the terminal
without mangling a number; pipes and ``--json`` must stay machine-readable.
Only toy and page claims run here (seconds); the data descriptions are
checked on the bundled sample and on made-up official-data documents.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ex3 import cli
from ex3.cli.common import run_facts
from ex3.engine.claim import ClaimResult, RunContext, Verdict
from ex3.engine.registry import select
from ex3.report.run_facts import data_facts, describe_data, header_lines, summary_lines
from ex3.report.terminal import Screen, result_texts, shorten, split_command
from ex3.training.threads import run_threads

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
REPO = Path(__file__).resolve().parents[1]
REASON = ("CNN not near zero (NMSE <= 0.01) fast: y0: CNN test NMSE per seed [0.194, 0.204, "
          "0.0493, 0.0976, 0.208]; y1: CNN test NMSE per seed [0.586, 0.286, 0.205, 0.205, "
          "0.221]; y2: max 1.5e-05 at lr 0.125")
ALL_IDS = ["T1", "T2", "M1", "M2", "S1", "C1"]


def result(claim_id: str = "M2", verdict: str = "REPRODUCED", expected: str | None = None,
           reason: str = REASON, **evidence: object) -> ClaimResult:
    return ClaimResult(id=claim_id, section="s", quote="q", summary="s", threshold="t",
                       verdict=Verdict(verdict), expected=Verdict(expected or verdict),
                       reason=reason, evidence=dict(evidence), duration_s=1.25)


def document(profile: str, source: str | None, kind: str | None,
             ids: tuple[str, ...] = ("M2", "S1")) -> dict:
    """A made-up verdicts document, shaped as ``build_document`` writes it."""
    claims = []
    for cid in ids:
        mnist = cid.startswith("M")
        claims.append({
            "id": cid, "verdict": "REPRODUCED", "expected": "REPRODUCED", "reason": "r",
            "evidence": {"data_kind": kind} if mnist else {},
            "protocol": {"seeds": [0, 1, 2] if profile == "full" else [0, 1]} if mnist
            else {"seed": 0}})
    return {"profile": profile, "data_source": source, "duration_s": 12.5,
            "environment": {"train_threads": 1, "cpu_count": 2,
                            "libraries": {"torch": "2.14.1"}},
            "summary": {}, "claims": claims, "seeds": None, "front_end": "ex3 verify"}


OFFICIAL = "directory /data/mnist (official MNIST, sha256 verified)"
SAMPLE = ("bundled sample (3,000 train / 1,000 test images; set EX3_DATA_DIR or use download "
          "for the full MNIST)")


# --------------------------------------------------------------------------- shortening


def test_a_shortened_reason_never_cuts_a_number():
    for width in range(8, len(REASON) + 2):
        short = shorten(REASON, width)
        assert len(short) <= width
        if short == REASON:
            continue
        body = short.removesuffix("…")
        assert short.endswith("…") and REASON.startswith(body)
        assert REASON[len(body)] in " ;,:", f"cut inside a word or number: {short!r}"


def test_a_shortened_reason_prefers_a_clause_boundary():
    first = "CNN not near zero (NMSE <= 0.01) fast: y0: CNN test NMSE per seed ["
    assert shorten(REASON, 105) == first + "0.194, 0.204, 0.0493, 0.0976, 0.208]…"
    assert shorten(REASON, 100) == first + "0.194, 0.204, 0.0493, 0.0976…"
    assert shorten("short", 80) == "short"


def test_the_deciding_command_gets_its_own_line():
    reason = ("quick budget cannot decide (it gave the full protocol's REPRODUCED under 3 of 5 "
              "master seeds); its judge measured REPRODUCED: " + REASON + "; decide with: "
              "ex3 verify --profile full --only M2 --data-dir DIR_WITH_MNIST")
    text, command = split_command(reason)
    assert command == "decide with: ex3 verify --profile full --only M2 --data-dir DIR_WITH_MNIST"
    assert text.startswith("quick budget cannot decide") and "ex3 verify" not in text
    lines = [t.plain for t in result_texts(result(verdict="INCONCLUSIVE", reason=reason), 80)]
    assert lines[0].startswith("M2  INCONCLUSIVE    as pinned  (1.2 s)")
    assert "inconclusive" in lines[0]
    assert len(lines[1]) <= 80 and lines[1].endswith("…")
    assert lines[2] == "      " + command


def test_unstable_and_fragile_verdicts_are_marked():
    unstable = result_texts(result(verdict="UNSTABLE"), 100)[0].plain
    assert "UNSTABLE" in unstable and "unstable: the verdict flips" in unstable
    fragile = result(robustness={"qualifier": "FRAGILE"})
    assert "! FRAGILE" in result_texts(fragile, 100)[0].plain
    assert "FRAGILE" in Screen(io.StringIO(), width=100).summary([fragile], "/o", "1s")
    assert "!" not in result_texts(result(), 100)[0].plain


def test_a_changed_verdict_is_named_in_the_line_and_the_summary():
    changed = result(claim_id="M1", verdict="NOT REPRODUCED", expected="REPRODUCED")
    screen = Screen(io.StringIO(), width=100)
    assert "M1  NOT REPRODUCED  CHANGED: pinned REPRODUCED" in screen.result(changed)
    text = screen.summary([changed, result(claim_id="S1")], "/o", "3s")
    assert "1 of 2 verdicts as pinned; changed against the pins: M1 (REPRODUCED -> NOT " \
           "REPRODUCED)" in text
    assert "/o/report.html" in text and "/o/verdicts.json" in text


# --------------------------------------------------------------------------- colour


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_on_a_terminal_plain_in_a_pipe_or_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert ANSI.search(Screen(FakeTerminal(), width=80).result(result()))
    assert not ANSI.search(Screen(io.StringIO(), width=80).result(result()))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not ANSI.search(Screen(FakeTerminal(), width=80).result(result()))


# --------------------------------------------------------------------------- the data


def test_the_header_of_a_sample_run_says_it_only_estimates(monkeypatch, tmp_path):
    monkeypatch.delenv("EX3_DATA_DIR", raising=False)
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path / "empty-cache"))
    facts = run_facts(RunContext(), select(["M1", "T1"]), tmp_path / "out", "ex3 verify")
    text = Screen(io.StringIO(), width=120).header(facts)
    assert "bundled sample 3,000/1,000 images: cannot decide M1; verdicts on it are estimates" \
        in text
    assert "reduced budget (quick profile, bundled sample)" in text
    assert "ex3 verify --profile full --data-dir DIR --only T1,M1" in text
    assert "2 (M), 5 (T); study defaults" in text or "5 (T), 2 (M); study defaults" in text
    assert str((tmp_path / "out").resolve()) in text and "per training run" in text


def test_the_official_data_is_described_with_its_folder():
    facts = data_facts(OFFICIAL)
    assert describe_data(facts) == ("official MNIST 60,000/10,000, sha256 verified, "
                                    "/data/mnist")
    cached = data_facts("ex3 cache /c/mnist (official MNIST, sha256 verified); stratified "
                        "subset of 5,000 train / 10,000 test images (seed 0)", "full")
    assert cached.where == "/c/mnist" and (cached.n_train, cached.n_test) == (60_000, 10_000)


def test_verdicts_md_header_for_the_full_protocol_on_official_data():
    lines = header_lines(document("full", OFFICIAL, "full"), all_ids=ALL_IDS)
    text = "\n".join(lines)
    assert "- **Data**: official MNIST 60,000/10,000, sha256 verified, /data/mnist" in lines
    assert "- **Profile**: `full`" in lines and "3 (M), 1 (S); study defaults" in text
    assert "1 per training run, 2 CPUs" in text and "12.5 s" in text
    assert "Reduced budget" not in text


def test_verdicts_md_header_for_a_quick_run_names_the_full_command():
    text = "\n".join(header_lines(document("quick", OFFICIAL, "full"), all_ids=ALL_IDS))
    assert "Reduced budget** (quick profile)" in text
    assert "`ex3 verify --profile full --data-dir /data/mnist --only M2,S1`" in text


def test_verdicts_md_header_on_the_sample():
    text = "\n".join(header_lines(document("quick", SAMPLE, "sample"), all_ids=ALL_IDS))
    assert "bundled sample 3,000/1,000 images: cannot decide M1" in text
    assert "(quick profile, bundled sample)" in text and "--data-dir DIR --only M2,S1" in text


def test_no_data_needed_and_no_reduced_budget_for_toy_and_page_claims():
    lines = header_lines(document("quick", None, None, ids=("S1", "C1")), all_ids=ALL_IDS)
    assert "- **Data**: no data needed (no selected claim trains on MNIST)" in lines
    assert not any("Reduced" in line for line in lines)


def test_summary_lines_count_the_verdicts():
    doc = document("quick", SAMPLE, "sample")
    doc["claims"][0]["verdict"] = "INCONCLUSIVE"
    lines = summary_lines(doc, "/o", all_ids=ALL_IDS)
    assert lines[0].startswith("profile quick; data: bundled sample")
    assert lines[1] == ("REPRODUCED 1, INCONCLUSIVE 1; 1 of 2 as pinned; changed: "
                        "M2 (REPRODUCED -> INCONCLUSIVE)")
    assert "ex3 verify --profile full" in lines[2] and lines[3].startswith("report: /o/report.html")


# --------------------------------------------------------------------------- whole runs


def run_ex3(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    """``ex3 verify`` in a fresh process, its stdout a pipe, no MNIST anywhere."""
    env = {k: v for k, v in os.environ.items() if k not in ("EX3_DATA_DIR", "NO_COLOR")}
    env.update(EX3_CACHE_DIR=str(tmp / "cache"), COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "ex3.cli", "verify", *args,
                           "--out", str(tmp / "out")],
                          capture_output=True, text=True, env=env, timeout=600, cwd=REPO)


@pytest.fixture(scope="module")
def piped_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess,
                                                                  Path]:
    tmp = tmp_path_factory.mktemp("piped")
    return run_ex3(["--only", "T1,S1,C1"], tmp), tmp / "out"


def test_a_piped_run_prints_header_claims_and_summary_without_colour(piped_run):
    proc, out = piped_run
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and not ANSI.search(proc.stdout) and "\r" not in proc.stdout
    text = proc.stdout
    header = text[:text.index("T1  ")]
    for words in ("ex3 verify", "claims   3 claims: T1, S1, C1", "profile  quick",
                  "data     no data needed", "seeds    5 (T), 1 (S); study defaults",
                  f"threads  {run_threads(1)} per training run", f"output   {out.resolve()}"):
        assert words in header, words
    assert "reduced budget" not in header
    lines = text.splitlines()
    t1 = lines.index(next(line for line in lines if line.startswith("T1  ")))
    assert lines[t1].startswith("T1  NOT REPRODUCED  as pinned  (")
    reason = json.loads((out / "verdicts.json").read_text())["claims"][0]["reason"]
    assert lines[t1 + 1].startswith("    CNN not near zero") and len(lines[t1 + 1]) <= 100
    assert reason.startswith(lines[t1 + 1].strip().removesuffix("…"))
    assert any(line.startswith("C1  NOT TESTABLE    as pinned") for line in lines)
    assert "| REPRODUCED     |      1 | S1  |" in text
    assert "3 of 3 verdicts as pinned; none changed against the pins" in text
    assert f"report    {out}/report.html" in text


def invoke(args: list[str], tmp: Path, capsys: pytest.CaptureFixture[str],
           monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """``ex3 verify`` in this process (no start-up cost), no MNIST anywhere."""
    monkeypatch.delenv("EX3_DATA_DIR", raising=False)
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp / "cache"))
    code = cli.main(["verify", *args, "--out", str(tmp / "out")])
    out, err = capsys.readouterr()
    return code, out, err


def test_quiet_prints_only_the_summary(tmp_path, capsys, monkeypatch):
    code, out, err = invoke(["--only", "C1", "--quiet"], tmp_path, capsys, monkeypatch)
    assert code == 0, err
    assert "profile" not in out and "C1  NOT TESTABLE" not in out
    assert "1 of 1 verdicts as pinned" in out and "| NOT TESTABLE |" in out


def test_json_prints_the_verdicts_alone_on_stdout(tmp_path, capsys, monkeypatch):
    code, out, err = invoke(["--only", "C1", "--json"], tmp_path, capsys, monkeypatch)
    assert code == 0, err
    doc = json.loads(out)
    assert [c["id"] for c in doc["claims"]] == ["C1"]
    assert doc == json.loads((tmp_path / "out" / "verdicts.json").read_text())
    assert "C1  NOT TESTABLE" in err and "1 of 1 verdicts as pinned" in err


def test_pytest_claims_ends_with_the_ex3_block(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("EX3_DATA_DIR", "EX3_PROFILE")}
    env.update(EX3_CACHE_DIR=str(tmp_path / "cache"), EX3_OUT=str(tmp_path / "out"))
    proc = subprocess.run([sys.executable, "-m", "pytest", "claims/test_claims.py::test_claim[C1]",
                           "-p", "no:cacheprovider", "-q"], capture_output=True, text=True,
                          env=env, timeout=600, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    block = proc.stdout[proc.stdout.index("ex3 claims"):]
    assert "profile quick; data: no data needed" in block
    assert "NOT TESTABLE 1; 1 of 1 as pinned" in block
    assert f"report: {tmp_path / 'out' / 'report.html'}" in block
