"""Robustness in the outputs: the table, the claims x choices map, the per-claim line.

Read from the verdicts document (each claim's ``robustness`` object and the
document's ``robustness`` section, written by ``ex3 robustness``), so
``robustness.md``, ``verdicts.md``, ``report.html`` and the README table all
say what ``verdicts.json`` says.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

#: The qualifier's colour in report.html (white text; the badge is in its template).
QUALIFIER_COLOURS = {"ROBUST": "#1a7f37", "FRAGILE": "#bc4c00", "NOT VARIED": "#57606a"}

FIGURE_NAME = "robustness_map"


def qualifier_text(robustness: Mapping[str, Any]) -> str:
    """``ROBUST (48/48)``, ``FRAGILE (3/4)`` or ``NOT VARIED``; empty when not measured."""
    if not robustness:
        return ""
    qualifier = robustness["qualifier"]
    if robustness.get("of"):
        return f"{qualifier} ({robustness['holds']}/{robustness['of']})"
    return str(qualifier)


def flips_text(robustness: Mapping[str, Any]) -> str:
    """The values that flip the verdict (most often first), or why nothing was varied."""
    if robustness.get("qualifier") == "NOT VARIED":
        return str(robustness.get("reason", ""))
    flips = robustness.get("flips_with") or []
    if not flips:
        return "none"
    return "; ".join(f"{f['choice']} = {f['value']} ({f['flipped']}/{f['protocols']})"
                     for f in flips)


def table_lines(doc: Mapping[str, Any]) -> list[str]:
    """The robustness table in Markdown: one row per claim that has a robustness object."""
    lines = ["| claim | declared verdict | robustness | holds in | choices varied | "
             "values that flip it |", "|---|---|---|---|---|---|"]
    for claim in doc.get("claims", []):
        rob = claim.get("robustness") or {}
        if not rob:
            continue
        holds = f"{rob['holds']} of {rob['of']}" if rob.get("of") else "-"
        lines.append(f"| {claim['id']} | {rob['declared_verdict']} | {rob['qualifier']} | "
                     f"{holds} | {', '.join(rob.get('choices') or []) or '-'} | "
                     f"{_cell(flips_text(rob))} |")
    return lines


def neighbourhood_lines(doc: Mapping[str, Any]) -> list[str]:
    """Each study's declared choices (declared value first), design and fixed fields."""
    section = doc.get("robustness") or {}
    lines: list[str] = []
    for study, nb in (section.get("neighbourhoods") or {}).items():
        claims = ", ".join(nb["claims"])
        if not nb["choices"]:
            lines.append(f"* **{study}** ({claims}): {nb['no_choice']}")
            continue
        choices = "; ".join(f"{c['name']}: **{c['declared']}** | {', '.join(c['values'])}"
                            for c in nb["choices"])
        lines.append(f"* **{study}** ({claims}), {nb['design'].replace('_', ' ')}, "
                     f"{nb['neighbours']} neighbours: {choices}. Fixed: "
                     f"{', '.join(nb['fixed']) or '-'}."
                     + "".join(f" {note}." for note in nb.get("notes", [])))
    return lines


def robustness_markdown(doc: Mapping[str, Any]) -> str:
    """``robustness.md``: what was varied, and the qualifier of every claim."""
    section = doc.get("robustness") or {}
    lines = ["# Robustness over the report's open choices", "",
             f"Profile `{doc.get('profile')}`; {section.get('design_note', '')}", "",
             *table_lines(doc), "", "## Neighbourhoods (declared before measuring)", "",
             *neighbourhood_lines(doc), "", f"![{FIGURE_NAME}]({FIGURE_NAME}.png)"]
    return "\n".join(lines) + "\n"


def markdown_section(doc: Mapping[str, Any]) -> list[str]:
    """The section ``verdicts.md`` gets when the run measured robustness."""
    if not doc.get("robustness"):
        return []
    return ["", "## Robustness over the report's open choices", "", *table_lines(doc), "",
            *neighbourhood_lines(doc)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _study_of(doc: Mapping[str, Any], claim_id: str) -> str:
    """The study whose neighbourhood holds ``claim_id`` ("" when the document does not say)."""
    for study, nb in ((doc.get("robustness") or {}).get("neighbourhoods") or {}).items():
        if claim_id in nb["claims"]:
            return str(study)
    return ""


def _columns(doc: Mapping[str, Any], claims: list[Mapping[str, Any]]
             ) -> list[tuple[str, str, str]]:
    """(study, choice, value) columns: each study's choices in declared order, then any other."""
    columns: list[tuple[str, str, str]] = []
    studies = {_study_of(doc, c["id"]) for c in claims}
    for study, nb in ((doc.get("robustness") or {}).get("neighbourhoods") or {}).items():
        if study in studies:
            columns += [(study, c["name"], v) for c in nb["choices"] for v in c["values"]]
    for claim in claims:
        study = _study_of(doc, claim["id"])
        for protocol in claim["robustness"]["protocols"]:
            for choice, value in protocol["changes"].items():
                if (study, choice, value) not in columns:
                    columns.append((study, choice, value))
    return columns


def map_png(doc: Mapping[str, Any]) -> bytes | None:
    """The claims x (choice = value) map: share of protocols keeping the declared verdict."""
    claims = [c for c in doc.get("claims", []) if (c.get("robustness") or {}).get("protocols")]
    if not claims:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    columns = _columns(doc, claims)
    grid = np.full((len(claims), len(columns)), np.nan)
    for i, claim in enumerate(claims):
        rob = claim["robustness"]
        for j, (study, choice, value) in enumerate(columns):
            if study != _study_of(doc, claim["id"]):
                continue
            taking = [p for p in rob["protocols"] if p["changes"].get(choice) == value]
            if taking:
                held = sum(p["verdict"] == rob["declared_verdict"] for p in taking)
                grid[i, j] = held / len(taking)
    fig, ax = plt.subplots(figsize=(1.0 + 0.55 * len(columns), 0.9 + 0.38 * len(claims)))
    image = ax.imshow(grid, cmap="RdYlGn", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(columns)), [f"{s}: {c} = {v}" for s, c, v in columns],
                  rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(claims)), [c["id"] for c in claims], fontsize=9)
    for i in range(len(claims)):
        for j in range(len(columns)):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.0%}", ha="center", va="center", fontsize=7)
    ax.set_title(f"Verdict kept per value ({doc.get('profile')} profile)", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def document_section(plans: Mapping[str, Any], profile: str, budget: int, seed: int
                     ) -> dict[str, Any]:
    """The document's ``robustness`` section: each study's declared neighbourhood as run."""
    neighbourhoods: dict[str, Any] = {}
    for plan in {id(p): p for p in plans.values()}.values():
        nb = plan.neighbourhood
        study = plan.study.name
        neighbourhoods[study] = {
            "claims": list(nb.claims), "design": nb.design, "fixed": list(nb.fixed),
            "no_choice": nb.no_choice, "notes": list(nb.notes),
            "neighbours": len(plan.neighbours),
            "choices": [{"name": c.name, "declared": c.declared,
                         "values": [o.label for o in c.alternatives], "why": c.why}
                        for c in nb.choices]}
    note = (f"every protocol judged by the claim's own judge; one at a time plus {budget} "
            f"random combination(s) (seed {seed}) where the design is one at a time")
    return {"profile": profile, "budget": budget, "seed": seed, "design_note": note,
            "neighbourhoods": neighbourhoods}
