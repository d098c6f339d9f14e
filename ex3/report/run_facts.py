"""The facts of a run a person must read before its verdicts, as plain text.

The profile, the data (the official MNIST or the bundled sample, which cannot
decide every claim), the seeds and threads, and whether the run is a reduced
budget: the terminal header (``ex3.report.terminal``), the top of
``verdicts.md`` (:func:`header_lines`) and the block ``pytest claims/``
prints after its results (:func:`summary_lines`) all say them in these words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The official MNIST splits: files whose sha256 matches hold exactly these many images.
OFFICIAL_TRAIN, OFFICIAL_TEST = 60_000, 10_000
#: Width assumed when there is no terminal to ask (pipes, CI logs).
FALLBACK_WIDTH = 100
#: Verdicts in the order the summary lists them; any other verdict follows.
VERDICT_ORDER = ("REPRODUCED", "NOT REPRODUCED", "INCONCLUSIVE", "UNSTABLE", "SKIPPED",
                 "NOT TESTABLE")
#: Verdicts that do not state the full protocol's answer, with what the mark says.
MARKS = {"INCONCLUSIVE": "inconclusive: this budget cannot decide",
         "UNSTABLE": "unstable: the verdict flips between master seeds"}
#: The robustness qualifier that is marked beside a verdict.
FRAGILE = "FRAGILE"
STYLES = {"REPRODUCED": "bold green", "NOT REPRODUCED": "bold red",
          "INCONCLUSIVE": "bold yellow", "UNSTABLE": "bold magenta", "SKIPPED": "dim",
          "NOT TESTABLE": "dim", FRAGILE: "bold yellow"}
COMMAND_MARK = "ex3 verify"


# --------------------------------------------------------------------------- the facts


@dataclass(frozen=True)
class DataFacts:
    """The MNIST a run used: ``kind`` ``full`` (official) or ``sample``, sizes and where."""

    kind: str
    n_train: int
    n_test: int
    where: str


@dataclass(frozen=True)
class RunFacts:
    """What a run is, in the terms its header states.

    ``data`` is None when no selected claim needs MNIST; ``reduced`` names why
    the run only estimates the full protocol's verdicts (empty: it does not);
    ``out`` is None where the reader already is in the output folder.
    """

    front_end: str
    profile: str
    claim_ids: tuple[str, ...]
    all_claims: bool
    data: DataFacts | None
    seeds: str
    threads: str
    reduced: tuple[str, ...] = ()
    out: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


def data_facts(source: str, kind: str | None = None, n_train: int | None = None,
               n_test: int | None = None) -> DataFacts:
    """The data facts from MNIST's one-line ``source`` (``MnistData.source``) and what is known.

    The source line is the one ``load_mnist`` writes; sizes missing from the
    arguments are read from it (the sample's) or are the official ones.
    """
    base = source.split("; stratified subset")[0]
    if kind is None:
        kind = "sample" if "bundled sample" in base else "full"
    counts = re.search(r"([\d,]+) train / ([\d,]+) test", base)
    if kind == "sample" and counts and (n_train is None or n_test is None):
        n_train, n_test = (int(g.replace(",", "")) for g in counts.groups())
    if kind == "full":
        n_train, n_test = n_train or OFFICIAL_TRAIN, n_test or OFFICIAL_TEST
    where = re.match(r"(?:directory|ex3 cache) (.+?) \(official MNIST", base)
    return DataFacts(kind, n_train or 0, n_test or 0, where.group(1) if where else base)


def describe_data(data: DataFacts | None) -> str:
    """One phrase: which MNIST, how many images, how it was checked, what it cannot decide."""
    if data is None:
        return "no data needed (no selected claim trains on MNIST)"
    sizes = f"{data.n_train:,}/{data.n_test:,}"
    if data.kind == "sample":
        return (f"bundled sample {sizes} images: cannot decide M1; verdicts on it are "
                "estimates")
    return f"official MNIST {sizes}, sha256 verified, {data.where}"


def seeds_text(counts: Mapping[str, int], override: int | None) -> str:
    """Seeds per group of claims, e.g. ``5 (T), 2 (M, L, A); study defaults``.

    ``counts`` maps a claim-id letter (``T``, ``M``) to its study's number of
    seeds; claims sharing a number are listed together.
    """
    if not counts:
        return "none drawn (no selected claim is measured)"
    groups: dict[int, list[str]] = {}
    for letter, n in counts.items():
        groups.setdefault(n, []).append(letter)
    listed = ", ".join(f"{n} ({', '.join(letters)})" for n, letters in groups.items())
    return f"{listed}; " + (f"--seeds {override}" if override else "study defaults")


def threads_text(train_threads: int | None, workers: int | None, cpus: int | None,
                 device: str | None = None) -> str:
    """Training threads per run, worker processes and the CPUs they share (and a GPU)."""
    parts = [f"{train_threads if train_threads is not None else '?'} per training run"]
    if device and device != "cpu":
        parts.insert(0, f"MNIST runs on {device}")
    if workers and workers > 1:
        parts.append(f"{workers} worker processes")
    if cpus:
        parts.append(f"{cpus} CPUs")
    return ", ".join(parts)


def id_letter(claim_id: str) -> str:
    """The section letter(s) of a claim id: ``T`` of ``T1``."""
    return claim_id.rstrip("0123456789") or claim_id


def full_command(facts: RunFacts) -> str:
    """The command that runs the full protocol on what this run selected."""
    name = "ex3 stability" if facts.front_end.startswith("ex3 stability") else "ex3 verify"
    where = facts.data.where if facts.data is not None and facts.data.kind == "full" else "DIR"
    only = "" if facts.all_claims else f" --only {','.join(facts.claim_ids)}"
    return f"{name} --profile full --data-dir {where}{only}"


def reduced_note(facts: RunFacts) -> str | None:
    """The line that says a reduced budget only estimates the full protocol's verdicts."""
    if not facts.reduced:
        return None
    return (f"reduced budget ({', '.join(facts.reduced)}): its verdicts estimate the full "
            "protocol's")


def reduced_reasons(profile: str, data: DataFacts | None, seeds: int | None,
                    budget_bound: bool) -> tuple[str, ...]:
    """Why a run is a reduced budget (empty: it is the full protocol).

    Only claims whose protocol depends on the budget (``budget_bound``: the
    MNIST studies) can be reduced; the toy and page claims run one protocol.
    """
    if not budget_bound:
        return ()
    reasons = []
    if profile != "full":
        reasons.append(f"{profile} profile")
    if data is not None and data.kind == "sample":
        reasons.append("bundled sample")
    if seeds:
        reasons.append(f"--seeds {seeds}")
    return tuple(reasons)


def claims_text(facts: RunFacts) -> str:
    """``3 claims: T1, S1, C1`` or ``all 21 claims``."""
    n = len(facts.claim_ids)
    if facts.all_claims:
        return f"all {n} claims"
    return f"{n} claim{'s' if n != 1 else ''}: {', '.join(facts.claim_ids)}"


def header_rows(facts: RunFacts) -> list[tuple[str, str]]:
    """The header as (label, value) rows, in the order every front end shows them."""
    rows = [("claims", claims_text(facts)), ("profile", facts.profile),
            ("data", describe_data(facts.data)), ("seeds", facts.seeds),
            ("threads", facts.threads), *facts.extra]
    if facts.out is not None:
        rows.append(("output", facts.out))
    note = reduced_note(facts)
    if note:
        rows += [("note", note), ("full run", full_command(facts))]
    return rows


# --------------------------------------------------------------------------- the documents


def facts_from_doc(doc: Mapping[str, Any], all_ids: Sequence[str] | None = None) -> RunFacts:
    """The run facts a verdicts document records (``ex3.report.verdicts.build_document``).

    ``all_ids`` are every claim id (default: the registry's), to tell a
    selection from the whole report.
    """
    if all_ids is None:
        from ex3.engine.registry import all_claims

        all_ids = [c.id for c in all_claims()]
    claims = list(doc.get("claims", []))
    ids = tuple(c["id"] for c in claims)
    kinds = [c.get("evidence", {}).get("data_kind") for c in claims]
    source = doc.get("data_source")
    data = None
    if source:
        data = data_facts(source, "sample" if "sample" in kinds else None)
    env = doc.get("environment", {})
    budgets = {(c.get("agreement") or {}).get("budget") for c in claims} - {None}
    bound = bool(budgets - {"full"}) if budgets else data is not None
    seeds = doc.get("seeds")
    return RunFacts(front_end=str(doc.get("front_end") or "ex3"),
                    profile=str(doc.get("profile")), claim_ids=ids,
                    all_claims=set(ids) >= set(all_ids), data=data,
                    seeds=seeds_text(_doc_seed_counts(claims), seeds),
                    threads=threads_text(env.get("train_threads"), doc.get("workers"),
                                         env.get("cpu_count"), env.get("device")),
                    reduced=reduced_reasons(str(doc.get("profile")), data, seeds, bound))


def _doc_seed_counts(claims: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Seeds per claim-id letter, read from each claim's recorded protocol."""
    counts: dict[str, int] = {}
    for c in claims:
        protocol = c.get("protocol") or {}
        if isinstance(protocol.get("seeds"), list | tuple):
            counts.setdefault(id_letter(c["id"]), len(protocol["seeds"]))
        elif "seed" in protocol:
            counts.setdefault(id_letter(c["id"]), 1)
    return counts


def header_lines(doc: Mapping[str, Any], all_ids: Sequence[str] | None = None) -> list[str]:
    """The run's header as Markdown lines, for the top of ``verdicts.md``.

    A reader of the file alone learns what ran on which data before reading
    any verdict. No leading or trailing blank line: the caller places it.
    """
    facts = facts_from_doc(doc, all_ids)
    lines = [f"- **{label.capitalize()}**: {_markdown_value(label, value)}"
             for label, value in header_rows(facts) if label not in ("note", "full run")]
    env = doc.get("environment", {})
    torch_version = (env.get("libraries") or {}).get("torch")
    if doc.get("duration_s") is not None:
        lines.append(f"- **Measured**: {doc['duration_s']:.1f} s wall time by `{facts.front_end}`"
                     + (f", torch {torch_version}" if torch_version else ""))
    if facts.reduced:
        lines.append(f"- **Reduced budget** ({', '.join(facts.reduced)}): these verdicts "
                     f"estimate the full protocol's; the full protocol: `{full_command(facts)}`")
    return lines


def _markdown_value(label: str, value: str) -> str:
    return f"`{value}`" if label == "profile" else value.replace("|", "\\|")


def summary_lines(doc: Mapping[str, Any], out: str | os.PathLike[str] | None = None,
                  all_ids: Sequence[str] | None = None) -> list[str]:
    """A few plain lines after a run: profile, data, counts per verdict, where the report is."""
    facts = facts_from_doc(doc, all_ids)
    claims = list(doc.get("claims", []))
    lines = [f"profile {facts.profile}; data: {describe_data(facts.data)}",
             counts_text(c["verdict"] for c in claims) + "; " + pinned_text(claims)]
    note = reduced_note(facts)
    if note:
        lines.append(f"{note}; the full protocol: {full_command(facts)}")
    if out is not None:
        folder = os.fspath(out)
        lines.append(f"report: {os.path.join(folder, 'report.html')} (verdicts.json, "
                     "verdicts.md and figures beside it)")
    return lines


def counts_text(verdicts: Iterable[str]) -> str:
    """``REPRODUCED 2, NOT REPRODUCED 1`` in the summary's verdict order."""
    counts = verdict_counts(verdicts)
    return ", ".join(f"{v} {n}" for v, n in counts.items()) or "no claims ran"


def verdict_counts(verdicts: Iterable[str]) -> dict[str, int]:
    """Claims per verdict, in :data:`VERDICT_ORDER` (others after, as met)."""
    seen: dict[str, int] = {}
    for v in verdicts:
        seen[str(v)] = seen.get(str(v), 0) + 1
    ordered = {v: seen.pop(v) for v in VERDICT_ORDER if v in seen}
    ordered.update(seen)
    return ordered


def pinned_text(claims: Sequence[Mapping[str, Any]]) -> str:
    """``3 of 3 as pinned`` or ``2 of 3 as pinned; changed: G1 (REPRODUCED -> ...)``.

    A SKIPPED claim changed nothing (the data could not answer), as in the exit code.
    """
    changed = changed_claims(claims)
    text = f"{len(claims) - len(changed)} of {len(claims)} as pinned"
    if changed:
        text += "; changed: " + changes_text(changed)
    return text


def changed_claims(claims: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The claims whose verdict differs from the pin (SKIPPED changes nothing)."""
    return [c for c in claims if c["verdict"] != "SKIPPED" and c.get("expected") != c["verdict"]]


def changes_text(changed: Sequence[Mapping[str, Any]]) -> str:
    """``G1 (NOT REPRODUCED -> REPRODUCED), ...``: pin, then measured verdict."""
    return ", ".join(f"{c['id']} ({c.get('expected')} -> {c['verdict']})" for c in changed)
