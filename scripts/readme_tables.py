"""Copy the tables of real ``ex3`` runs into README.md, so no verdict there is typed by hand.

Each table lives between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``
in README.md and is rebuilt from a run's ``verdicts.json``::

    python scripts/readme_tables.py --verdicts FULL_OUT --stability STAB_OUT \\
        --sensitivity SENS_OUT

``--verdicts`` fills ``verdicts`` (the claims table of an ``ex3 verify`` run),
``--stability`` fills ``stability`` (an ``ex3 stability`` run on the official
MNIST), ``--sample-stability`` fills ``sample-stability`` (the same on the
bundled sample) and
``--sensitivity`` fills ``sensitivity`` (an ``ex3 verify --sensitivity``
run) and ``--robustness`` fills ``robustness`` (an ``ex3 robustness`` run).
Blocks whose option is not given are left as they are.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from ex3.report.robustness import table_lines
from ex3.report.verdicts import run_line, sensitivity_line, sensitivity_table, verdict_table

README = Path(__file__).resolve().parents[1] / "README.md"


def _doc(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "verdicts.json").read_text(encoding="utf-8"))


def verdicts_block(doc: dict[str, Any]) -> list[str]:
    return [run_line(doc), "", *verdict_table(doc)]


def stability_block(doc: dict[str, Any]) -> list[str]:
    stab = doc["stability"]
    return [run_line(doc) + f" Master seeds {stab['master_seeds']}.", "",
            stab["table"].rstrip("\n")]


def sensitivity_block(doc: dict[str, Any]) -> list[str]:
    sens = doc["sensitivity"]
    return [run_line(doc), "", sensitivity_line(sens), "", *sensitivity_table(sens)]


def robustness_block(doc: dict[str, Any]) -> list[str]:
    runs = doc.get("runs") or [doc]
    return [*(run_line(run) for run in runs), "", *table_lines(doc)]


def _merged(folders: list[Path]) -> dict[str, Any]:
    """One document with the claims of several runs of one profile, in the report's order."""
    from ex3.engine.registry import all_claims

    docs = [_doc(folder) for folder in folders]
    if len({d["profile"] for d in docs}) != 1:
        raise SystemExit("--robustness: the runs are of different profiles")
    by_id = {c["id"]: c for d in docs for c in d["claims"]}
    order = [c.id for c in all_claims() if c.id in by_id]
    return {**docs[0], "claims": [by_id[i] for i in order], "runs": docs}


def replace_block(text: str, name: str, lines: list[str], source: Path) -> str:
    """``text`` with the block ``name`` replaced; an error if README.md has no such block."""
    pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(<!-- end: {name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no block '<!-- generated: {name} -->'; add one")
    body = "\n".join([f"<!-- from {source.name}/verdicts.json by scripts/readme_tables.py -->",
                      *lines, ""])
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=Path, help="output folder of an ex3 verify run")
    parser.add_argument("--stability", type=Path, help="output folder of an ex3 stability run")
    parser.add_argument("--sample-stability", type=Path,
                        help="output folder of an ex3 stability run on the bundled sample")
    parser.add_argument("--sensitivity", type=Path,
                        help="output folder of an ex3 verify --sensitivity run")
    parser.add_argument("--robustness", type=Path, nargs="+",
                        help="output folder(s) of ex3 robustness runs of one profile (e.g. "
                             "one per group of claims); their claims are merged")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    for name, folder, block in (("verdicts", args.verdicts, verdicts_block),
                                ("stability", args.stability, stability_block),
                                ("sample-stability", args.sample_stability, stability_block),
                                ("sensitivity", args.sensitivity, sensitivity_block)):
        if folder is not None:
            text = replace_block(text, name, block(_doc(folder)), folder)
    if args.robustness:
        text = replace_block(text, "robustness", robustness_block(_merged(args.robustness)),
                             Path(" and ".join(f.name for f in args.robustness)))
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
