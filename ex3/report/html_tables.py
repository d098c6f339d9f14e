"""Evidence as HTML tables: nested per-seed numbers become one readable table each.

Kept apart from the page itself (``ex3.report.html``) because it knows nothing
of claims or verdicts: any JSON-like mapping renders the same way.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

#: Lists longer than this show their head and tail only.
LIST_LIMIT = 12

def format_value(value: Any) -> str:
    """A JSON value as short text: 4 significant digits, lists abridged, None as a dash."""
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        items = [format_value(v) for v in value]
        if len(items) > LIST_LIMIT:
            items = [*items[:5], "\u2026", *items[-3:]]
            return f"[{', '.join(items)}] ({len(value)} values)"
        return f"[{', '.join(items)}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _cell(value: Any) -> str:
    text = html.escape(format_value(value))
    if isinstance(value, float) and not isinstance(value, bool):
        return f'<td class="num" title="{value!r}">{text}</td>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{text}</td>'
    return f"<td>{text}</td>"


def _is_leaf(value: Any) -> bool:
    return not isinstance(value, dict)


def _records(obj: Any, path: tuple[str, ...] = ()
             ) -> list[tuple[tuple[str, ...], dict[str, Any]]] | None:
    """Flatten nested dicts that end in dicts of plain values into (path, record) rows.

    None when the nesting is irregular (mixed leaves and dicts at one level),
    in which case the caller renders the dict level by level instead.
    """
    if not isinstance(obj, dict) or not obj:
        return None
    if all(_is_leaf(v) for v in obj.values()):
        return [(path, obj)]
    if all(isinstance(v, dict) for v in obj.values()):
        rows: list[tuple[tuple[str, ...], dict[str, Any]]] = []
        for key, value in obj.items():
            sub = _records(value, (*path, str(key)))
            if sub is None:
                return None
            rows += sub
        if len({len(p) for p, _ in rows}) != 1:
            return None
        return rows
    return None


def _key_value_table(obj: Mapping[str, Any]) -> str:
    body = "".join(f"<tr><th>{html.escape(str(k))}</th>{_cell(v)}</tr>" for k, v in obj.items())
    return f'<table class="kv">{body}</table>'


def _wide_table(rows: list[tuple[tuple[str, ...], dict[str, Any]]], first: str) -> str:
    """One row per record; leading key columns show a value only where it changes."""
    depth = len(rows[0][0])
    columns: dict[str, None] = {}
    for _, record in rows:
        columns.update(dict.fromkeys(record))
    heads = [first] + [""] * (depth - 1) + list(columns)
    out = ["<table class=\"wide\"><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in heads)
           + "</tr>"]
    previous: tuple[str, ...] = ()
    for path, record in rows:
        keys = []
        for i, key in enumerate(path):
            same = len(previous) > i and previous[: i + 1] == path[: i + 1]
            keys.append(f"<th>{'' if same else html.escape(key)}</th>")
        previous = path
        cells = [_cell(record[c]) if c in record else "<td></td>" for c in columns]
        out.append("<tr>" + "".join(keys + cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _regular(rows: list[tuple[tuple[str, ...], dict[str, Any]]]) -> bool:
    """True when the records share most keys, so one table with a column per key reads well."""
    columns: set[str] = set()
    for _, record in rows:
        columns.update(record)
    return all(2 * len(record) >= len(columns) for _, record in rows)


def render_mapping(obj: Mapping[str, Any], first: str = "", top: bool = True) -> str:
    """Any evidence dict as readable HTML: tables where the nesting is regular.

    At the top level each nested dict gets its own heading; below it, a
    regular nest (e.g. ``per_seed`` -> seed -> model -> metrics) becomes one
    table with a row per record, whose first key column is named ``first``
    (``seed`` for ``per_seed``).
    """
    if not obj:
        return '<p class="none">none</p>'
    if not top:
        rows = _records(dict(obj))
        if rows is not None and (not rows[0][0] or _regular(rows)):
            return _wide_table(rows, first) if rows[0][0] else _key_value_table(obj)
    leaves = {k: v for k, v in obj.items() if _is_leaf(v)}
    parts = [_key_value_table(leaves)] if leaves else []
    for key, value in obj.items():
        if isinstance(value, dict):
            label = "seed" if key == "per_seed" else ""
            parts.append(f'<div class="ev"><h4>{html.escape(str(key))}</h4>'
                         f"{render_mapping(value, label, top=False)}</div>")
    return "".join(parts)
