"""``report.html``: the verdicts as one self-contained page a person can open anywhere.

The page is built from ``verdicts.json`` and the figure PNGs beside it, so it
always shows exactly what the machine-readable file says. It has no external
resources at all (inline CSS, figures as base64 ``data:`` URIs, no scripts),
so it can be mailed, archived as a CI artefact or opened offline and still
show every figure.

Layout: a header with the profile, seeds, data source, environment and wall
time, an overview table, then the report's sections in its order; each claim
shows the report's words beside its verdict badge, the one-line reason, the
threshold, the evidence (nested dicts become tables, numbers rounded, full
precision on hover), the protocol and the figures the claim names.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ex3.errors import OutputError
from ex3.report.atomic import write_atomic
from ex3.report.html_tables import render_mapping
from ex3.report.robustness import FIGURE_NAME as ROBUSTNESS_FIGURE
from ex3.report.robustness import badge as robustness_badge
from ex3.report.robustness import html_section as robustness_section
from ex3.report.verdicts import LEGEND, agreement_text, sensitivity_line

REPORT_NAME = "report.html"

#: Badge colour of each verdict (text is white on all of them).
BADGE_COLOURS = {
    "REPRODUCED": "#1a7f37",
    "NOT REPRODUCED": "#cf222e",
    "UNSTABLE": "#bc4c00",
    "INCONCLUSIVE": "#0969da",
    "SKIPPED": "#6639ba",
    "NOT TESTABLE": "#57606a",
}

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
       margin: 0; background: #f6f8fa; }
main { max-width: 1150px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 12px; }
h2 { margin-top: 36px; border-bottom: 2px solid #d0d7de; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eaeef2; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.meta th { width: 130px; }
.claim { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 14px 18px;
         margin: 16px 0; }
.claim > header { font-size: 1.1em; font-weight: 600; margin-bottom: 8px; }
.claim .cid { display: inline-block; min-width: 2.4em; color: #0969da; }
.words { display: grid; grid-template-columns: 1fr 230px; gap: 16px; align-items: start; }
blockquote { margin: 0; padding: 8px 14px; border-left: 4px solid #8c959f; background: #f6f8fa;
             font-style: italic; }
.verdict { text-align: center; }
.badge { display: inline-block; color: #fff; border-radius: 999px; padding: 3px 12px;
         font-weight: 700; font-size: 13px; letter-spacing: .02em; white-space: nowrap; }
.pin { font-size: 12px; margin-top: 4px; color: #57606a; }
.pin.changed { color: #cf222e; font-weight: 700; }
.reason, .threshold { margin: 8px 0; }
.label { font-weight: 600; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
.ev { margin-left: 14px; }
.ev h4 { margin: 8px 0 2px; font-size: 13px; color: #57606a; }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; background: #fff; }
figcaption { font-size: 12px; color: #57606a; }
.missing { color: #cf222e; }
.overview td:nth-child(3) { white-space: nowrap; }
"""


# --------------------------------------------------------------------------- values


def badge(verdict: str) -> str:
    """A coloured pill with the verdict's name."""
    colour = BADGE_COLOURS.get(verdict, "#57606a")
    return f'<span class="badge" style="background:{colour}">{html.escape(verdict)}</span>'


def _pin(claim: Mapping[str, Any]) -> str:
    expected, verdict = claim.get("expected"), claim["verdict"]
    if expected is None:
        return '<div class="pin changed">no pinned verdict</div>'
    if expected == verdict:
        return '<div class="pin">as pinned</div>'
    if verdict == "SKIPPED":
        return f'<div class="pin">pinned {html.escape(expected)}; not measured here</div>'
    return f'<div class="pin changed">CHANGED: pinned {html.escape(expected)}</div>'


def _sub_checks(evidence: Mapping[str, Any]) -> str:
    checks = evidence.get("sub_checks") or {}
    if not checks:
        return ""
    items = "".join(f"<li>{html.escape(k)}: {html.escape(str(v))}</li>" for k, v in checks.items())
    return ('<p class="threshold"><span class="label">Sub-checks</span> (stricter than the '
            f"report's words; shown, not deciding):</p><ul>{items}</ul>")


def _legend() -> str:
    rows = "".join(f"<tr><td>{badge(v)}</td><td>{html.escape(text)}</td></tr>"
                   for v, text in LEGEND.items())
    return f'<table class="legend">{rows}</table>'


def _figure(name: str, png: bytes | None) -> str:
    if png is None:
        return f'<p class="missing">Figure {html.escape(name)} was not rendered.</p>'
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(name)}">'
            f"<figcaption>{html.escape(name)}</figcaption></figure>")


def _claim(claim: Mapping[str, Any], figures: Mapping[str, bytes],
           same_evidence_as: str | None = None) -> str:
    cid = html.escape(claim["id"])
    protocol = claim.get("protocol") or {}
    seeds = protocol.get("seeds")
    seeds_line = (f'<div class="pin">seeds {html.escape(", ".join(map(str, seeds)))}</div>'
                  if isinstance(seeds, list) and seeds else "")
    duration = claim.get("duration_s") or 0.0
    budget = agreement_text(claim)
    budget_line = f'<div class="pin">{html.escape(budget)}</div>' if budget else ""
    robust = robustness_badge(claim.get("robustness") or {})
    if robust:
        budget_line += f'<div class="pin">{robust}</div>'
    parts = [
        f'<article class="claim" id="claim-{cid}">',
        f'<header><span class="cid">{cid}</span> {html.escape(claim["summary"])}</header>',
        '<div class="words">',
        f"<blockquote>\u201c{html.escape(claim['quote'])}\u201d</blockquote>",
        f'<div class="verdict">{badge(claim["verdict"])}{_pin(claim)}{budget_line}{seeds_line}'
        f'<div class="pin">{duration:.1f} s</div></div>',
        "</div>",
        f'<p class="reason"><span class="label">Reason:</span> {html.escape(claim["reason"])}</p>',
        f'<p class="threshold"><span class="label">Threshold:</span> '
        f'{html.escape(claim["threshold"])}</p>',
    ]
    evidence = claim.get("evidence") or {}
    parts.append(_sub_checks(evidence))
    if evidence and same_evidence_as is not None:
        ref = html.escape(same_evidence_as)
        parts.append(f'<p><span class="label">Evidence:</span> the same measurement as '
                     f'<a href="#claim-{ref}">{ref}</a>, judged against this claim\'s '
                     "threshold.</p>")
    elif evidence:
        parts.append(f"<details open><summary>Evidence</summary>{render_mapping(evidence)}"
                     "</details>")
    if protocol:
        parts.append(f"<details><summary>Protocol</summary>{render_mapping(protocol)}</details>")
    parts += [_figure(name, figures.get(name)) for name in claim.get("figures", [])]
    parts.append("</article>")
    return "\n".join(parts)


def _header(doc: Mapping[str, Any]) -> str:
    env = doc.get("environment") or {}
    libs = env.get("libraries") or {}
    seeds = doc.get("seeds")
    rows = {
        "profile": doc.get("profile"),
        "seeds": f"{seeds} per study" if seeds else "each study's default (see each claim)",
        "data": doc.get("data_source") or "none needed by these claims",
        "environment": (f"Python {env.get('python')}, {env.get('platform')}, "
                        f"{env.get('cpu_count')} CPUs, device {env.get('device')}, "
                        f"{env.get('train_threads')} training thread(s), "
                        f"{env.get('torch_threads')} torch threads elsewhere"),
        "libraries": ", ".join(f"{k} {v}" for k, v in libs.items()),
        "wall time": f"{doc.get('duration_s', 0.0):.1f} s",
    }
    if doc.get("workers"):
        rows["workers"] = doc["workers"]
    if doc.get("front_end"):
        rows["run by"] = doc["front_end"]
    if doc.get("retrained_runs"):
        rows["retrained runs"] = "; ".join(f"{r['key']}: {r['reason']}"
                                           for r in doc["retrained_runs"])
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in rows.items())
    summary = doc.get("summary") or {}
    counts = " ".join(f"{badge(k)} {v}" for k, v in summary.items()
                      if k not in ("as_pinned", "total"))
    pinned = (f"{summary.get('as_pinned', 0)} of {summary.get('total', 0)} verdicts as pinned"
              if summary else "")
    return (f'<table class="meta">{body}</table><p>{counts}</p><p>{html.escape(pinned)}</p>')


def _overview(claims: list[Mapping[str, Any]]) -> str:
    rows = "".join(
        f'<tr><td><a href="#claim-{html.escape(c["id"])}">{html.escape(c["id"])}</a></td>'
        f"<td>{html.escape(c['summary'])}</td><td>{badge(c['verdict'])}</td>"
        f"<td>{_pin(c)}</td><td>{html.escape(agreement_text(c))}</td></tr>" for c in claims)
    return ('<table class="overview"><tr><th>id</th><th>claim</th><th>verdict</th>'
            f"<th>pinned</th><th>budget and agreement</th></tr>{rows}</table>")


def _trust(doc: Mapping[str, Any]) -> str:
    """How far to trust the verdicts: sensitivity and stability, when the run measured them."""
    parts: list[str] = []
    sens = doc.get("sensitivity")
    if sens:
        rows = "".join(
            f"<tr><td>{html.escape(w['claim'])}</td><td>{html.escape(w['world'])}</td>"
            f"<td>{badge(w['expected'])}</td><td>{badge(w['measured'])}</td>"
            f"<td>{'yes' if w['caught'] else '<b>NO</b>'}</td></tr>" for w in sens["worlds"])
        parts += ['<section id="sensitivity"><h2>Sensitivity</h2>',
                  f"<p>{html.escape(sensitivity_line(sens))}</p>",
                  "<table><tr><th>claim</th><th>falsification world</th><th>expected</th>"
                  f"<th>measured</th><th>caught</th></tr>{rows}</table></section>"]
    stab = doc.get("stability")
    if stab:
        claims = doc.get("claims", [])
        rows = "".join(
            f"<tr><td>{html.escape(c['id'])}</td><td>{badge(c['verdict'])}</td>"
            f"<td>{html.escape(str(c.get('expected') or '-'))}</td>"
            f"<td class=\"num\">{c['evidence']['rate']:.0%}</td>"
            f"<td>{_agrees(c['evidence'])}</td></tr>"
            for c in claims if "rate" in (c.get("evidence") or {}))
        seeds = ", ".join(map(str, stab["master_seeds"]))
        parts += ['<section id="stability"><h2>Stability</h2>',
                  f"<p>Each claim run under master seeds {html.escape(seeds)}; held = share "
                  "of master seeds whose verdict is the pinned one; agrees with full = share of "
                  "master seeds whose judge gave the full protocol's verdict.</p>",
                  "<table><tr><th>claim</th><th>verdict</th><th>pinned</th><th>held</th>"
                  f"<th>agrees with full</th></tr>{rows}</table></section>"]
    return "\n".join(parts)


def _agrees(evidence: Mapping[str, Any]) -> str:
    agreement = evidence.get("agreement")
    if not agreement:
        return "same protocol"
    return html.escape(f"{agreement['agreed']}/{agreement['master_seeds']} "
                       f"({agreement['full_verdict']})")


def render_html(doc: Mapping[str, Any], figures: Mapping[str, bytes]) -> str:
    """The whole page for a verdicts document and the PNG bytes of its figures."""
    claims = list(doc.get("claims", []))
    sections: dict[str, list[Mapping[str, Any]]] = {}
    for claim in claims:
        sections.setdefault(claim["section"], []).append(claim)
    body = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ex3 claims: verdicts</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<h1>The claims of \u201cConvnets - ex3\u201d, re-checked</h1>",
        _header(doc),
        _legend(),
        _overview(claims),
        _trust(doc),
        robustness_section(doc, figures.get(ROBUSTNESS_FIGURE)),
    ]
    first_with: dict[str, str] = {}  # evidence as JSON -> first claim showing it
    for section, members in sections.items():
        body.append(f"<section><h2>{html.escape(section)}</h2>")
        for claim in members:
            key = json.dumps(claim.get("evidence") or {}, sort_keys=True)
            body.append(_claim(claim, figures, first_with.get(key) if key != "{}" else None))
            first_with.setdefault(key, claim["id"])
        body.append("</section>")
    body.append("</main></body></html>\n")
    return "\n".join(body)


def write_html(out_dir: Path) -> Path:
    """Write ``out_dir/report.html`` from ``verdicts.json`` and the PNGs beside it."""
    source = out_dir / "verdicts.json"
    try:
        doc = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot read {source} to build {REPORT_NAME}: {exc}; "
                          "write the verdicts first") from None
    names = {name for claim in doc.get("claims", []) for name in claim.get("figures", [])}
    figures = {}
    for name in sorted(names):
        path = out_dir / f"{name}.png"
        if path.is_file():
            figures[name] = path.read_bytes()
    target = out_dir / REPORT_NAME
    write_atomic(target, render_html(doc, figures))
    return target
