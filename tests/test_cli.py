"""The ``ex3`` command, the HTML report, progress and the parallel prefetch.

A person runs ``ex3 verify`` and reads its exit code and report; a usage or
data mistake must cost one clear line on stderr and exit code 2, never a
traceback, and a finished run must leave a complete, self-contained report.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ex3 import cli
from ex3.data.official import OFFICIAL_FILES
from ex3.engine.claim import ClaimResult, RunContext, Verdict
from ex3.engine.registry import get_claim
from ex3.report.html import render_html, write_html
from ex3.report.html_tables import format_value
from ex3.report.progress import Progress, format_duration
from ex3.report.verdicts import build_document, write_verdicts
from ex3.training.loop import EpochRecord, TrainConfig
from ex3.training.runs import RunSpec

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "mnist"
HAVE_OFFICIAL = all((SHARED_MNIST / "MNIST" / "raw" / n).is_file() for n in OFFICIAL_FILES)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``ex3`` in-process; argparse's own exits count as return codes."""
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert lines[0].startswith("ex3"), lines[0]
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], lines[0]


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(("argv", "words"), [
    (["verify", "--only", "Z9"], ("Z9", "known ids")),
    (["verify", "--only", "S1,,Q7"], ("Q7",)),
    (["verify", "--only", ","], ("--only",)),
    (["verify", "--profile", "slow"], ("--profile", "slow")),
    (["verify", "--seeds", "0"], ("--seeds", "positive")),
    (["verify", "--seeds", "-3"], ("--seeds",)),
    (["verify", "--seeds", "two"], ("--seeds", "two")),
    (["verify", "--workers", "0"], ("--workers", "positive")),
    (["verify", "--data-dir", "/tmp", "--download"], ("--download", "--data-dir")),
    (["verify", "--bogus"], ("--bogus",)),
    (["frobnicate"], ("frobnicate",)),
    ([], ("required",)),
])
def test_a_bad_argument_exits_2_with_one_line(argv, words, capsys, tmp_path):
    code, _, err = invoke([*argv, "--out", str(tmp_path / "out")] if argv[:1] == ["verify"]
                          else argv, capsys)
    assert_one_line_error(code, err, *words)
    assert not (tmp_path / "out" / "verdicts.json").exists()


def test_an_output_folder_under_a_regular_file_exits_2(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = invoke(["verify", "--only", "S1", "--out", str(blocker / "out")], capsys)
    assert_one_line_error(code, err, str(blocker / "out"))


def test_a_missing_data_folder_exits_2_before_any_claim_runs(capsys, tmp_path):
    missing = tmp_path / "no-such-mnist"
    code, out, err = invoke(["verify", "--only", "S1", "--data-dir", str(missing),
                             "--out", str(tmp_path / "out")], capsys)
    assert_one_line_error(code, err, f"--data-dir {missing}", "does not exist")
    assert "S1" not in out


def test_download_conflicts_with_a_data_folder_in_the_environment(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("EX3_DATA_DIR", str(tmp_path))
    code, _, err = invoke(["verify", "--only", "S1", "--download", "--out", str(tmp_path / "o")],
                          capsys)
    assert_one_line_error(code, err, "--download", "EX3_DATA_DIR")


def test_a_bad_profile_in_the_environment_exits_2(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("EX3_PROFILE", "fast")
    code, _, err = invoke(["verify", "--only", "S1", "--out", str(tmp_path / "o")], capsys)
    assert_one_line_error(code, err, "EX3_PROFILE")


def test_data_with_a_missing_folder_exits_2(capsys, tmp_path):
    code, _, err = invoke(["data", "--data-dir", str(tmp_path / "nothing")], capsys)
    assert_one_line_error(code, err, f"--data-dir {tmp_path / 'nothing'}", "does not exist")


def test_the_installed_command_prints_one_line_and_no_traceback(tmp_path):
    """The console script itself, in a fresh process, as a person would run it."""
    script = Path(sys.executable).with_name("ex3")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ex3.cli"]
    proc = subprocess.run([*command, "verify", "--only", "NOPE", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=300)
    assert_one_line_error(proc.returncode, proc.stderr, "NOPE")


# --------------------------------------------------------------------------- help and data


@pytest.mark.parametrize("argv", [["--help"], ["verify", "--help"], ["data", "--help"]])
def test_help_says_what_each_command_does(argv, capsys):
    code, out, _ = invoke(argv, capsys)
    assert code == 0
    assert "usage: ex3" in out
    if argv == ["--help"]:
        assert "verify" in out and "data" in out and "write the verdicts" in out
    elif argv[0] == "verify":
        assert "Measure and judge" in out and "--workers" in out
    else:
        assert "official" in out


@pytest.mark.skipif(not HAVE_OFFICIAL, reason=f"no official MNIST in {SHARED_MNIST}")
def test_data_reports_the_shared_mnist_as_official(capsys):
    code, out, err = invoke(["data", "--data-dir", str(SHARED_MNIST)], capsys)
    assert code == 0, err
    assert "source: folder" in out
    for name, (size, sha) in OFFICIAL_FILES.items():
        line = next(row for row in out.splitlines() if name in row)
        assert f"{size:,} bytes" in line and sha in line and line.rstrip().endswith("official")
    assert "all 4 files are the official MNIST" in out


def test_data_without_a_folder_names_the_bundled_sample(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("EX3_DATA_DIR", raising=False)
    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path / "empty-cache"))
    code, out, _ = invoke(["data"], capsys)
    assert code == 0 and "bundled sample" in out and "not the official MNIST" in out


# --------------------------------------------------------------------------- a whole run


@pytest.fixture(scope="module")
def s1_g1_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess,
                                                                   Path]:
    """``ex3 verify --only S1,G1`` in a fresh process (no MNIST needed, seconds)."""
    out = tmp_path_factory.mktemp("verify") / "out"
    env = {**os.environ, "EX3_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    proc = subprocess.run([sys.executable, "-m", "ex3.cli", "verify", "--only", "S1,G1",
                           "--out", str(out)], capture_output=True, text=True, env=env,
                          timeout=600)
    return proc, out


def test_verify_writes_every_output_and_exits_0(s1_g1_run):
    proc, out = s1_g1_run
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "\r" not in proc.stdout, "progress must stay quiet when stdout is not a terminal"
    doc = json.loads((out / "verdicts.json").read_text())
    assert [c["id"] for c in doc["claims"]] == ["S1", "G1"]
    assert all(c["verdict"] == c["expected"] == "REPRODUCED" for c in doc["claims"])
    assert doc["front_end"] == "ex3 verify" and doc["workers"] == 1
    assert "| S1 |" in (out / "verdicts.md").read_text()
    page = (out / "report.html").read_text()
    assert "S1" in page and "G1" in page
    assert "2 of 2 verdicts as pinned" in proc.stdout


def test_a_changed_verdict_exits_1(capsys, tmp_path, monkeypatch):
    from ex3.engine import evaluate

    monkeypatch.setattr(evaluate, "pinned_verdict",
                        lambda profile, cid: Verdict.NOT_REPRODUCED)
    code, out, _ = invoke(["verify", "--only", "G1", "--out", str(tmp_path)], capsys)
    assert code == 1
    assert "CHANGED: pinned NOT REPRODUCED" in out and "G1 (NOT REPRODUCED -> REPRODUCED)" in out
    assert json.loads((tmp_path / "verdicts.json").read_text())["summary"]["as_pinned"] == 0


def test_workers_change_nothing_for_claims_without_planned_runs(capsys, tmp_path):
    code, out, err = invoke(["verify", "--only", "G1", "--workers", "2", "--out", str(tmp_path)],
                            capsys)
    assert code == 0, err
    assert "G1  REPRODUCED      as pinned" in out


@pytest.mark.parametrize(("values", "ids"), [
    (["M1,M2"], ["M1", "M2"]), (["M1", "M2"], ["M1", "M2"]), (["M1, L2 T3"], ["M1", "L2", "T3"]),
    (None, None)])
def test_only_accepts_commas_and_spaces(values, ids):
    assert cli.parse_ids(values) == ids


# --------------------------------------------------------------------------- report.html


def tiny_png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1, 2], [2, 1, 0.5])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    plt.close(fig)
    return buffer.getvalue()


def result(claim_id: str, verdict: Verdict, expected: Verdict | None, figures: list[str],
           evidence: dict | None = None) -> ClaimResult:
    claim = get_claim(claim_id)
    return ClaimResult(claim.id, claim.section, claim.quote, claim.summary, claim.threshold,
                       verdict, expected, f"reason for {claim_id}", evidence or {},
                       {"seeds": [0, 1], "epochs": 3}, figures, 1.25)


def synthetic_report(out: Path) -> Path:
    """A report with two figures, nested evidence and a changed verdict, written as ex3 would."""
    out.mkdir(parents=True, exist_ok=True)
    per_seed = {str(s): {m: {"train_acc": 0.9123456 + s / 100, "test_loss": 0.31415926,
                             "test_acc_curve": [0.1, 0.5, 0.9, 0.95], "diverged": False}
                         for m in ("linear", "mlp")} for s in (0, 1)}
    results = [
        result("T1", Verdict.NOT_REPRODUCED, Verdict.NOT_REPRODUCED, ["fig_a"],
               {"per_seed": per_seed, "data_kind": "full"}),
        result("M1", Verdict.REPRODUCED, Verdict.REPRODUCED, ["fig_b"],
               {"per_seed": per_seed, "data_kind": "full"}),
        result("M2", Verdict.NOT_REPRODUCED, Verdict.REPRODUCED, ["fig_b"],
               {"per_seed": per_seed, "data_kind": "full"}),
        result("S1", Verdict.REPRODUCED, Verdict.REPRODUCED, [],
               {"symbolic": {"step": True}, "numeric": {"max": 1.23456789e-13, "n": 28765}}),
        result("C1", Verdict.NOT_TESTABLE, Verdict.NOT_TESTABLE, []),
    ]
    doc = build_document(results, profile="quick", duration_s=12.5, train_threads=1,
                         data_source="directory /data (official MNIST, sha256 verified)",
                         extra={"seeds": None, "workers": 2, "front_end": "ex3 verify"})
    write_verdicts(doc, out)
    for name in ("fig_a", "fig_b"):
        (out / f"{name}.png").write_bytes(tiny_png())
    return write_html(out)


class Page(HTMLParser):
    """Collects what the structure test inspects."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_report_html_is_self_contained_and_in_the_reports_order(tmp_path):
    path = synthetic_report(tmp_path)
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    text = " ".join(page.text)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    for _, attrs in page.tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "//")), value
    # header: profile, seeds, data, environment and wall time
    for words in ("quick", "each study's default", "official MNIST", "Python", "torch",
                  "12.5 s", "ex3 verify"):
        assert words in text, words
    # claims in the report's order, each with its words, badge, reason and threshold
    articles = [a["id"] for t, a in page.tags if t == "article"]
    assert articles == ["claim-T1", "claim-M1", "claim-M2", "claim-S1", "claim-C1"]
    sections = [s for s in page.text if s in {"Toy Convnet", "MNIST classifiers",
                                              "The handwritten page"}]
    assert sections[-3:] == ["Toy Convnet", "MNIST classifiers", "The handwritten page"]
    for cid in ("T1", "M1", "M2", "S1", "C1"):
        claim = get_claim(cid)
        assert claim.quote.split("...")[0].strip() in text
        assert claim.threshold in text and f"reason for {cid}" in text
    assert "CHANGED: pinned REPRODUCED" in text
    assert "4 of 5 verdicts as pinned" in text
    # every figure a claim names is embedded as a PNG data URI (fig_b twice: M1 and M2)
    images = [a for t, a in page.tags if t == "img"]
    assert [i["alt"] for i in images] == ["fig_a", "fig_b", "fig_b"]
    for image in images:
        prefix = "data:image/png;base64,"
        assert (image["src"] or "").startswith(prefix)
        assert base64.b64decode((image["src"] or "")[len(prefix):]).startswith(PNG_SIGNATURE)
    # per-seed evidence as a table with rounded numbers; shared evidence shown once
    assert "seed" in page.text and "0.9123" in text and "0.912345" not in text
    assert "the same measurement as" in text
    assert "[0.1, 0.5, 0.9, 0.95]" in text and "1.235e-13" in text and "28765" in text


def test_report_html_names_a_missing_figure(tmp_path):
    path = synthetic_report(tmp_path)
    (tmp_path / "fig_a.png").unlink()
    write_html(tmp_path)
    assert "Figure fig_a was not rendered." in path.read_text(encoding="utf-8")


def test_report_html_escapes_the_reports_words():
    doc = {"profile": "quick", "claims": [{
        "id": "X1", "section": "S", "quote": "<b>bold</b> & co", "summary": "s",
        "threshold": "t < 1", "verdict": "REPRODUCED", "expected": "REPRODUCED",
        "reason": "r", "evidence": {}, "protocol": {}, "figures": []}]}
    page = render_html(doc, {})
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page and "t &lt; 1" in page


def test_report_html_escapes_the_evidence_tables_exactly_once():
    """The tables escape their own cells; the template must not escape them again."""
    doc = {"profile": "quick", "claims": [{
        "id": "X1", "section": "S", "quote": "q", "summary": "s", "threshold": "t",
        "verdict": "REPRODUCED", "expected": "REPRODUCED", "reason": "r",
        "evidence": {"a<b": "x & y"}, "protocol": {}, "figures": []}]}
    page = render_html(doc, {})
    assert "<th>a&lt;b</th>" in page and "x &amp; y" in page and "&amp;lt;" not in page


@pytest.mark.parametrize(("value", "text"), [
    (None, "\u2013"), (True, "yes"), (3, "3"), (0.123456, "0.1235"), (60000.0, "60000"),
    (float("nan"), "nan"), (list(range(20)), "[0, 1, 2, 3, 4, \u2026, 17, 18, 19] (20 values)"),
])
def test_values_are_rounded_for_reading(value, text):
    assert format_value(value) == text


def test_a_claim_result_survives_json():
    original = result("M2", Verdict.NOT_REPRODUCED, Verdict.REPRODUCED, ["fig"],
                      {"per_seed": {"0": {"a": 1.5}}})
    again = ClaimResult.from_json(json.loads(json.dumps(original.to_json())))
    assert again == original and again.verdict is Verdict.NOT_REPRODUCED


# --------------------------------------------------------------------------- progress


def spec(model: str = "convnet", epochs: int = 4, seed: int = 0) -> RunSpec:
    return RunSpec(model, TrainConfig("sgd", 0.1, 32, epochs, seed), n_train=1000)


def record(epoch: int) -> EpochRecord:
    return EpochRecord(epoch, epoch * 10, 1.0, 1.0, 0.5, 0.5, 0.0)


def test_progress_is_silent_when_not_a_terminal():
    stream = io.StringIO()
    with Progress(stream) as progress:
        progress.stage("M1 (1/3)")
        progress.on_epoch(spec(), record(1))
        progress.message("M1 REPRODUCED")
    assert stream.getvalue() == "M1 REPRODUCED\n"


def test_progress_shows_claim_run_epoch_elapsed_and_time_left():
    now = [100.0]
    stream = io.StringIO()
    progress = Progress(stream, enabled=True, clock=lambda: now[0])
    a, b = spec(seed=0), spec(seed=1)
    progress.plan([(a, 1000), (b, 1000)])
    progress.stage("L3 (2/4)")
    progress.on_epoch(a, record(0))
    now[0] += 10.0
    progress.on_epoch(a, record(1))  # 10 s per epoch of 1000 images; 7 epochs left
    line = progress.line()
    assert line.startswith("ex3 L3 (2/4)") and "convnet sgd lr 0.1 seed 0, epoch 1/4" in line
    assert "10s elapsed" in line and "~1m10s of training left" in line
    progress.run_finished(a)
    assert progress.remaining_s() == pytest.approx(40.0)


def test_progress_draws_the_line_in_place_and_prints_messages_above_it():
    stream = io.StringIO()
    with Progress(stream, enabled=True, clock=lambda: 0.0) as progress:
        progress.stage("L3 (2/4)")
        progress.message("L2  REPRODUCED")
        progress.stage("L3 (2/4)", "convnet sgd lr 0.1 seed 0, epoch 1/4")
    shown = stream.getvalue()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    assert "ex3 L3 (2/4) | 0s elapsed" in plain and "\rex3 L3 (2/4) | convnet" in plain
    assert "L2  REPRODUCED\n" in plain
    assert shown.endswith("\x1b[2K") or shown.endswith("\x1b[?25h")  # the line is erased


def test_a_run_that_stops_early_leaves_no_phantom_epochs():
    """A diverged run ends before its last epoch; serially, the next run's start closes it."""
    now = [0.0]
    progress = Progress(io.StringIO(), enabled=False, clock=lambda: now[0])
    diverging, next_run = spec(seed=0), spec(seed=1)
    progress.plan([(diverging, 1000), (next_run, 1000)])
    progress.on_epoch(diverging, record(0))
    now[0] += 5.0
    progress.on_epoch(diverging, record(1))  # then it diverged: no epochs 2-4
    progress.on_epoch(next_run, record(0))
    assert progress.remaining_s() == pytest.approx(4 * 5.0)


def test_verify_shows_progress_on_a_terminal(tmp_path):
    """Under a pseudo-terminal the status line is drawn (carriage returns), results still print."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "ex3.cli", "verify", "--only", "G1",
                             "--out", str(tmp_path)], stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the pty closes when the command exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=600) == 0, proc.stderr.read() if proc.stderr else ""
    shown = b"".join(chunks).decode("utf-8", "replace")
    # A terminal gets colour and cursor control (erase the line, hide the cursor): compare text.
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    assert "\rex3 G1 (1/1)" in plain and "elapsed" in plain
    assert "G1  REPRODUCED      as pinned" in plain


@pytest.mark.parametrize(("seconds", "text"), [(5, "5s"), (65, "1m05s"), (3725, "1h02m")])
def test_durations_are_short(seconds, text):
    assert format_duration(seconds) == text


# --------------------------------------------------------------------------- parallel


def test_planned_runs_are_exactly_the_runs_the_studies_train(monkeypatch):
    from ex3.engine import parallel
    from ex3.studies.learning_rate import study as lr_study
    from ex3.studies.mnist import study as mnist_study
    from ex3.training.loop import History
    from ex3.training.runs import RunResult

    requested: list[RunSpec] = []

    def fake_run(spec, data, on_epoch=None):
        requested.append(spec)
        history = History([record(0), record(1)])
        return RunResult(spec, history, None, True)  # type: ignore[arg-type]

    monkeypatch.setattr(mnist_study, "run", fake_run)
    monkeypatch.setattr(lr_study, "run", fake_run)
    ctx = RunContext(profile="quick")
    claims = [get_claim(c) for c in ("M1", "M2", "L1", "L4", "S1", "T1")]
    planned = parallel.planned_runs(claims, ctx)
    for claim_id in ("M1", "L1", "L4"):
        get_claim(claim_id).measure(ctx)  # type: ignore[misc]
    assert len(planned) == len(set(planned)) == 6 + 20
    assert set(planned) == set(requested)
    assert parallel.planned_runs([get_claim("S1"), get_claim("T1")], ctx) == []


@pytest.mark.skipif(not HAVE_OFFICIAL, reason=f"no official MNIST in {SHARED_MNIST}")
def test_prefetch_trains_each_planned_run_once_in_worker_processes(monkeypatch, tmp_path):
    from ex3.data.mnist import load_mnist
    from ex3.engine import parallel
    from ex3.training import runner

    monkeypatch.setenv("EX3_CACHE_DIR", str(tmp_path))
    specs = [RunSpec("linear", TrainConfig("adam", 1e-3, 32, 1, seed), 64, 64) for seed in (0, 1)]
    monkeypatch.setattr(parallel, "planned_runs", lambda claims, ctx: specs)
    ctx = RunContext(data_dir=str(SHARED_MNIST))
    first = parallel.prefetch([], ctx, workers=2)
    assert (first.planned, first.cached, first.trained, first.workers) == (2, 0, 2, 2)
    assert first.unseen == 0
    again = parallel.prefetch([], ctx, workers=2)
    assert (again.cached, again.trained) == (2, 0)
    data = load_mnist(str(SHARED_MNIST))
    assert all(runner.run(s, data).from_cache for s in specs)
