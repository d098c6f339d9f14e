"""report.html in a real browser: every figure must actually be displayed.

A parser can confirm that each ``<img>`` carries a data URI; only a browser
can confirm the PNG decodes and is drawn. Headless Chromium loads a copy of
the report with a small probe script that, once the page has loaded, records
on ``<body>`` how many images are complete with a non-zero natural width;
``--dump-dom`` returns the DOM with that mark.

Without Chromium the test is skipped, except under CI (``CI`` set), where a
missing browser is a broken setup and fails the test.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ex3.engine.claim import ClaimResult, Verdict
from ex3.engine.registry import get_claim
from ex3.report.html import write_html
from ex3.report.verdicts import build_document, write_verdicts

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")

PROBE = """<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var shown = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-images-shown", shown.length + "/" + images.length);
});
</script>"""


def chromium() -> str:
    """The Chromium binary; skip (or fail under CI) when there is none."""
    found = shutil.which("chromium") or ("/usr/bin/chromium"
                                         if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        reason = "headless chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must provide it", pytrace=False)
        pytest.skip(reason)
    return found


def figure_png(colour: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2, 3], [3, 1, 0.5, 0.4], color=colour)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    plt.close(fig)
    return buffer.getvalue()


def make_report(out: Path) -> tuple[Path, int]:
    """A report with three figure references (two figures), written as ``ex3 verify`` does."""
    results = []
    for cid, figures in (("T1", ["toy"]), ("M1", ["curves"]), ("M2", ["curves"]), ("S1", [])):
        c = get_claim(cid)
        results.append(ClaimResult(c.id, c.section, c.quote, c.summary, c.threshold,
                                   Verdict.REPRODUCED, Verdict.REPRODUCED, "because",
                                   {"per_seed": {"0": {"x": 1.0}}}, {}, figures, 0.5))
    doc = build_document(results, profile="quick", duration_s=1.0, train_threads=1)
    out.mkdir(parents=True, exist_ok=True)
    write_verdicts(doc, out)
    (out / "toy.png").write_bytes(figure_png("tab:red"))
    (out / "curves.png").write_bytes(figure_png("tab:blue"))
    return write_html(out), 3


def test_every_figure_of_report_html_is_displayed(tmp_path):
    browser = chromium()
    report, expected = make_report(tmp_path / "out")
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page, "the report itself must not need scripts"
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    proc = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    mark = re.search(r'data-images-shown="(\d+)/(\d+)"', proc.stdout)
    assert mark is not None, f"the probe did not run; chromium said:\n{proc.stderr[-2000:]}"
    shown, total = int(mark.group(1)), int(mark.group(2))
    assert total == expected, f"{total} <img> in the page, {expected} expected"
    assert shown == total, f"only {shown} of {total} figures were displayed"
