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

The markup lives in ``templates/report.html.j2`` (CSS in ``templates/report.css``),
rendered by jinja2 with autoescaping on, so every word taken from the
document is escaped without a call per field; this module shapes the
document into what the template shows (header rows, sections, which claims
repeat an earlier claim's evidence, figures as ``data:`` URIs).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ex3.errors import OutputError
from ex3.report.atomic import write_atomic
from ex3.report.html_tables import render_mapping
from ex3.report.robustness import FIGURE_NAME as ROBUSTNESS_FIGURE
from ex3.report.robustness import QUALIFIER_COLOURS, flips_text, neighbourhood_lines, qualifier_text
from ex3.report.verdicts import LEGEND, agreement_text, sensitivity_line

REPORT_NAME = "report.html"
TEMPLATE = "report.html.j2"

#: Badge colour of each verdict (text is white on all of them).
BADGE_COLOURS = {
    "REPRODUCED": "#1a7f37",
    "NOT REPRODUCED": "#cf222e",
    "UNSTABLE": "#bc4c00",
    "INCONCLUSIVE": "#0969da",
    "SKIPPED": "#6639ba",
    "NOT TESTABLE": "#57606a",
}


@cache
def environment() -> jinja2.Environment:
    """The template environment: package templates, autoescaping, unknown names are errors."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("ex3.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(
        # render_mapping escapes every key and value itself; its tables are markup.
        mapping=lambda obj: Markup(render_mapping(obj)),
        agreement=agreement_text,
        sensitivity_line=sensitivity_line,
        qualifier=qualifier_text,
        flips=flips_text,
        percent=lambda rate: f"{rate:.0%}",
    )
    env.tests["list"] = lambda value: isinstance(value, list)
    env.globals.update(BADGE_COLOURS=BADGE_COLOURS, QUALIFIER_COLOURS=QUALIFIER_COLOURS,
                       LEGEND=LEGEND)
    return env


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI, so the page needs no file beside it."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _meta(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The header table: what ran, on what, for how long."""
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
    return rows


def _sections(claims: list[Mapping[str, Any]]
              ) -> list[tuple[str, list[tuple[Mapping[str, Any], str | None]]]]:
    """The report's sections in its order, each claim with the earlier claim sharing its evidence.

    Several claims judge one measurement against different thresholds; the
    evidence is shown once, at the first of them, and the others link to it.
    """
    sections: dict[str, list[tuple[Mapping[str, Any], str | None]]] = {}
    first_with: dict[str, str] = {}  # evidence as JSON -> first claim showing it
    for claim in claims:
        key = json.dumps(claim.get("evidence") or {}, sort_keys=True)
        same_as = first_with.get(key) if key != "{}" else None
        sections.setdefault(claim["section"], []).append((claim, same_as))
        first_with.setdefault(key, claim["id"])
    return list(sections.items())


def _robustness(doc: Mapping[str, Any], png: bytes | None) -> dict[str, Any] | None:
    """The robustness section's note, neighbourhoods as plain sentences and the map."""
    if not doc.get("robustness"):
        return None
    return {"note": (doc["robustness"] or {}).get("design_note", ""),
            "neighbourhoods": [line.lstrip("* ").replace("**", "")
                               for line in neighbourhood_lines(doc)],
            "figure": ROBUSTNESS_FIGURE, "map": data_uri(png) if png else None}


def render_html(doc: Mapping[str, Any], figures: Mapping[str, bytes]) -> str:
    """The whole page for a verdicts document and the PNG bytes of its figures."""
    claims = list(doc.get("claims", []))
    summary = doc.get("summary") or {}
    context = {
        "meta": _meta(doc),
        "counts": [(k, v) for k, v in summary.items() if k not in ("as_pinned", "total")],
        "pinned": (f"{summary.get('as_pinned', 0)} of {summary.get('total', 0)} verdicts as "
                   "pinned" if summary else ""),
        "claims": claims,
        "sections": _sections(claims),
        "figures": {name: data_uri(png) for name, png in figures.items() if png is not None},
        "sensitivity": doc.get("sensitivity"),
        "stability": doc.get("stability"),
        "robustness": _robustness(doc, figures.get(ROBUSTNESS_FIGURE)),
    }
    return environment().get_template(TEMPLATE).render(context)


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
