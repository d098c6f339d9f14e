"""Writing ``verdicts.json`` (for machines) and ``verdicts.md`` (for people)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ex3.engine.agreement import SAME
from ex3.engine.claim import ClaimResult
from ex3.report.environment import environment
from ex3.report.outputs import commit_outputs


def build_document(results: Iterable[ClaimResult], *, profile: str, duration_s: float,
                   train_threads: int, data_source: str | None = None,
                   extra: dict[str, Any] | None = None, device: str = "cpu") -> dict[str, Any]:
    """The verdicts document: claims in the report's order, environment and timing;
    ``train_threads`` is each training run's intra-op thread count (``RunContext.threads``)
    and ``device`` where the MNIST runs trained (``RunContext.device``)."""
    claims = [r.to_json() for r in results]
    doc: dict[str, Any] = {
        "profile": profile,
        "data_source": data_source,
        "duration_s": round(duration_s, 3),
        "environment": environment(train_threads, device),
        "summary": _summary(claims),
        "claims": claims,
    }
    if extra:
        doc.update(extra)
    return doc


def _summary(claims: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in claims:
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    counts["as_pinned"] = sum(c["verdict"] == c["expected"] for c in claims)
    counts["total"] = len(claims)
    return counts


def agreement_text(claim: dict[str, Any]) -> str:
    """The full protocol's verdict and this budget's measured agreement with it, in words."""
    agreement = claim.get("agreement") or {}
    budget, full = agreement.get("budget"), agreement.get("full_verdict")
    if not budget or budget == "full":
        return "full protocol" if budget else ""
    if budget == SAME:
        return "one protocol in every profile (no reduced budget)"
    text = f"{budget} budget; full protocol: {full or 'not pinned'}"
    if agreement.get("master_seeds"):
        text += (f"; gave it in {agreement['agreed']}/{agreement['master_seeds']} master seeds"
                 + ("" if agreement.get("recorded_against") in (None, full) else
                    f" (measured against {agreement['recorded_against']})"))
    else:
        text += "; agreement not measured"
    estimate = claim.get("measured_verdict")
    if estimate and estimate != claim["verdict"]:
        text += f"; this run's judge said {estimate}"
    return text


def run_line(doc: dict[str, Any]) -> str:
    """Profile, data, wall time and environment of the run, in one sentence."""
    env = doc["environment"]
    return (f"Profile `{doc['profile']}`; data: {doc.get('data_source') or 'none needed'}; "
            f"wall time {doc['duration_s']:.1f} s; torch {env['libraries']['torch']}, "
            f"{env['train_threads']} training thread(s), {env.get('cpu_count')} CPUs.")


def verdict_table(doc: dict[str, Any]) -> list[str]:
    """The Markdown table of the claims: words, verdict, pin, evidence, threshold."""
    lines = ["| id | claim | verdict | pinned | budget and agreement | evidence | threshold |",
             "|---|---|---|---|---|---|---|"]
    for c in doc["claims"]:
        pinned = c["expected"] or "-"
        mark = "" if c["expected"] in (None, c["verdict"]) else " (changed)"
        checks = (c.get("evidence") or {}).get("sub_checks") or {}
        sub = ("<br>sub-checks (stricter, not deciding): "
               + "; ".join(f"{k}: {v}" for k, v in checks.items())) if checks else ""
        lines.append(f"| {c['id']} | {_cell(c['summary'])} | **{c['verdict']}**{mark} | {pinned} "
                     f"| {_cell(agreement_text(c)) or '-'} | {_cell(c['reason'])}{_cell(sub)} "
                     f"| {_cell(c['threshold'])} |")
    return lines


#: What each verdict means, in the order a reader meets them.
LEGEND = {
    "REPRODUCED": "the claim holds under its declared protocol and threshold in every seed",
    "NOT REPRODUCED": "it does not; the reason gives the numbers (a finding about the report)",
    "INCONCLUSIVE": "a reduced budget (quick profile, bundled sample) cannot decide what the "
                    "full protocol decides; the reason names the command that decides",
    "UNSTABLE": "the verdict differs between master seeds; the rate says how often it held",
    "SKIPPED": "the claim needs data this run does not have",
    "NOT TESTABLE": "nothing in the report can be checked",
    "ROBUST / FRAGILE": "(ex3 robustness) the verdict is the same in every protocol of the "
                        "claim's neighbourhood of open choices / some choice flips it: the "
                        "table names the values and how often",
}


def legend_lines() -> list[str]:
    """The verdicts' meanings as a Markdown list."""
    return [f"* **{verdict}**: {text}" for verdict, text in LEGEND.items()]


def render_markdown(doc: dict[str, Any]) -> str:
    """The verdict table a person reads, with the trust sections and the figures."""
    from ex3.report.run_facts import header_lines

    lines = ["# ex3 claims: verdicts", "", *header_lines(doc), "", run_line(doc), "",
             *verdict_table(doc), "", *legend_lines()]
    lines += trust_markdown(doc)
    figures = sorted({f for c in doc["claims"] for f in c.get("figures", [])})
    if figures:
        lines += ["", "## Figures", ""] + [f"![{f}]({f}.png)" for f in figures]
    return "\n".join(lines) + "\n"


def sensitivity_line(sensitivity: dict[str, Any]) -> str:
    """One sentence: falsification worlds caught / tried (and those left to the full data)."""
    tried, caught = sensitivity["tried"], sensitivity["caught"]
    line = (f"Sensitivity: {caught} of {tried} falsification worlds caught"
            + (f" ({caught / tried:.0%})" if tried else "")
            + ": the measured verdict is the one the world implies")
    skipped = sensitivity.get("not_tried_on_sample", 0)
    if skipped:
        line += (f"; {skipped} measured on the bundled sample, not counted "
                 "(they need the full MNIST)")
    return line + "."


def sensitivity_table(sensitivity: dict[str, Any]) -> list[str]:
    """One row per falsification world: claim, world, expected and measured verdict, caught."""
    return ["| claim | falsification world | expected | measured | caught |",
            "|---|---|---|---|---|",
            *(f"| {w['claim']} | {_cell(w['world'])} | {w['expected']} | {w['measured']} | "
              f"{'yes' if w['caught'] else 'NO'} |" for w in sensitivity["worlds"])]


def trust_markdown(doc: dict[str, Any]) -> list[str]:
    """The sensitivity and stability sections, when the run measured them."""
    lines: list[str] = []
    if doc.get("sensitivity"):
        sens = doc["sensitivity"]
        lines += ["", "## Sensitivity", "", sensitivity_line(sens), "", *sensitivity_table(sens)]
    if doc.get("stability"):
        lines += ["", f"## Stability over master seeds {doc['stability']['master_seeds']}", "",
                  doc["stability"]["table"].rstrip("\n")]
    from ex3.report.robustness import markdown_section

    return lines + markdown_section(doc)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def verdict_files(doc: dict[str, Any]) -> dict[str, str]:
    """``verdicts.json`` and ``verdicts.md`` of ``doc``, by name, to be written with the rest."""
    return {"verdicts.json": json.dumps(doc, indent=2, allow_nan=True) + "\n",
            "verdicts.md": render_markdown(doc)}


def write_verdicts(doc: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write both files into ``out_dir`` as one set; return their paths."""
    commit_outputs(out_dir, verdict_files(doc))
    return out_dir / "verdicts.json", out_dir / "verdicts.md"
