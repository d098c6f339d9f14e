"""What a person reads of a run on a terminal: the header, one block per claim, the summary.

A verdict means little without what produced it; the facts of the run come
from ``ex3.report.run_facts``, in the same words as the top of
``verdicts.md`` and the block ``pytest claims/`` prints after its results.

Everything here is text: facts in, lines out. Colour is added by
:class:`Screen` (``rich``) only on a terminal and never when ``NO_COLOR`` is
set, so logs and pipes hold plain text.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Mapping, Sequence
from typing import TextIO

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from ex3.engine.claim import ClaimResult
from ex3.report.run_facts import (
    COMMAND_MARK,
    FALLBACK_WIDTH,
    FRAGILE,
    MARKS,
    STYLES,
    RunFacts,
    changed_claims,
    changes_text,
    header_rows,
    verdict_counts,
)

# --------------------------------------------------------------------------- one claim


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters at a ``"; "``, ``", "`` or space boundary, plus "…".

    A number is never cut in the middle: a shortened reason may drop numbers,
    but every number it shows is the whole number. The latest ``"; "`` wins if
    it keeps at least half the width, else the latest ``", "``, else a space.
    """
    if len(text) <= width:
        return text
    room = max(1, width - 1)
    for separator in ("; ", ", ", " "):
        cut = text.rfind(separator, 0, room + 1)
        if cut > 0 and (separator == " " or cut >= room // 2):
            return text[:cut].rstrip(" ;,:") + "…"
    cut = room
    while cut > 0 and _inside_token(text, cut):
        cut -= 1
    return (text[:cut].rstrip(" ;,:") if cut > 0 else "") + "…"


def _inside_token(text: str, i: int) -> bool:
    """True when position ``i`` falls between two characters of a number or word."""
    return i < len(text) and text[i - 1].isalnum() and (text[i].isalnum() or text[i] in ".-+")


def split_command(reason: str) -> tuple[str, str | None]:
    """A reason and the ``ex3 verify ...`` command it names, apart; (reason, None) if none.

    The clause that introduces the command (``decide with:``) goes with the
    command, so the shortened reason never keeps a dangling introduction.
    """
    at = reason.find(COMMAND_MARK)
    if at < 0:
        return reason, None
    tail = reason[at:]
    end = min((i for i in (tail.find("; "), tail.find(")")) if i >= 0), default=len(tail))
    command = tail[:end].strip().strip("`").rstrip(".,")
    rest = (reason[:at].rstrip(" `(") + " " + tail[end:].lstrip(";) ")).strip()
    lead, _, label = rest.rpartition("; ")
    if label.endswith(":") and len(label) <= 24:
        return lead, f"{label} {command}"
    return rest.rstrip(":").rstrip(), command


def pin_text(result: ClaimResult) -> str:
    """The verdict against its pin: ``as pinned``, ``CHANGED: pinned X`` or ``skipped``."""
    if str(result.verdict) == "SKIPPED":
        return "skipped"
    if result.expected is None:
        return "CHANGED: no pinned verdict"
    if result.verdict == result.expected:
        return "as pinned"
    return f"CHANGED: pinned {result.expected}"


def robustness(result: ClaimResult) -> str | None:
    """The robustness qualifier of a result (``FRAGILE``), wherever the result carries one."""
    value = getattr(result, "robustness", None) or result.evidence.get("robustness")
    if isinstance(value, Mapping):
        value = value.get("qualifier") or value.get("verdict") or value.get("label")
    return str(value).upper() if value else None


def marks(result: ClaimResult) -> list[str]:
    """What sets a verdict apart from a plain answer: INCONCLUSIVE, UNSTABLE, FRAGILE."""
    found = [MARKS[str(result.verdict)]] if str(result.verdict) in MARKS else []
    if robustness(result) == FRAGILE:
        found.append(f"{FRAGILE}: the verdict turns under a neighbouring choice")
    return found


def head_text(result: ClaimResult) -> Text:
    """The claim's first line: id, verdict, pin, time and any mark."""
    verdict = str(result.verdict)
    pin = pin_text(result)
    text = Text.assemble(
        (f"{result.id:<4}", "bold"), (f"{verdict:<16}", STYLES.get(verdict, "")),
        (pin, "bold red" if pin.startswith("CHANGED") else "green" if pin == "as pinned"
         else "dim"),
        f"  ({result.duration_s:.1f} s)")
    for mark in marks(result):
        text.append("  ! " + mark, style=STYLES.get(mark.split(":")[0].upper(), "bold yellow"))
    return text


def result_line(result: ClaimResult) -> str:
    """The claim's first line as plain text (stability lists one per master seed)."""
    return head_text(result).plain


def result_texts(result: ClaimResult, width: int) -> list[Text]:
    """The claim's block: its first line, its reason fitted to ``width``, the deciding command."""
    lines = [head_text(result)]
    reason, command = split_command(" ".join(result.reason.split()))
    if reason:
        lines.append(Text("    " + shorten(reason, width - 4)))
    if command:
        lines.append(Text("      " + command, style="bold cyan"))
    return lines


# --------------------------------------------------------------------------- the screen


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width() -> int:
    """The terminal's columns, or :data:`FALLBACK_WIDTH` where there is none."""
    return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns


class Screen:
    """Renders text and tables for one stream: coloured on a terminal, plain elsewhere.

    Rendering goes to a string first, so the caller decides where it is
    printed (``Progress.message`` keeps the status line out of its way).
    """

    def __init__(self, stream: TextIO, colour: bool | None = None,
                 width: int | None = None) -> None:
        self.stream = stream
        self.colour = wants_colour(stream) if colour is None else colour
        self.width = width or terminal_width()
        self._console = Console(file=io.StringIO(), width=self.width,
                                force_terminal=self.colour, no_color=not self.colour,
                                color_system="auto" if self.colour else None,
                                highlight=False, markup=False, emoji=False,
                                soft_wrap=True, legacy_windows=False)

    def render(self, *renderables: RenderableType) -> str:
        """The renderables as the stream should receive them, without the final newline."""
        with self._console.capture() as captured:
            for renderable in renderables:
                self._console.print(renderable)
        return captured.get().rstrip("\n")

    def write(self, rendered: str) -> None:
        """Write text :meth:`render` made (or plain text) to the stream, as whole lines."""
        self.stream.write(rendered + "\n")
        self.stream.flush()

    # -- the parts of a run

    def header(self, facts: RunFacts) -> str:
        """The block printed before any training."""
        rows = header_rows(facts)
        width = max(len(label) for label, _ in rows)
        lines = [Text(facts.front_end, style="bold")]
        for label, value in rows:
            style = {"note": "yellow", "full run": "bold cyan"}.get(label, "")
            if label == "data" and facts.data is not None and facts.data.kind == "sample":
                style = "yellow"
            lines.append(Text.assemble(f"  {label:<{width}}  ", (value, style)))
        return self.render(*lines)

    def result(self, result: ClaimResult) -> str:
        """One claim's block."""
        return self.render(*result_texts(result, self.width))

    def summary(self, results: Sequence[ClaimResult], out: str, elapsed: str) -> str:
        """The closing table (claims per verdict), the pins, where the files are, the time."""
        claims = [r.to_json() for r in results]
        changed = changed_claims(claims)
        pinned = (f"{len(claims) - len(changed)} of {len(claims)} verdicts as pinned; "
                  + (f"changed against the pins: {changes_text(changed)}" if changed
                     else "none changed against the pins"))
        return self.render(
            self._verdict_table(results),
            Text(pinned, style="bold red" if changed else "green"),
            Text(f"report    {os.path.join(out, 'report.html')}"),
            Text(f"verdicts  {os.path.join(out, 'verdicts.json')} (verdicts.md and the figures "
                 "beside it)"),
            Text(f"time      {elapsed}"))

    def _verdict_table(self, results: Sequence[ClaimResult]) -> Table:
        """Claims per verdict, with their ids; FRAGILE qualifiers on a row of their own."""
        table = Table(box=box.ROUNDED if self.colour else box.ASCII2)
        table.add_column("verdict")
        table.add_column("claims", justify="right")
        table.add_column("ids")
        ids: dict[str, list[str]] = {}
        for r in results:
            ids.setdefault(str(r.verdict), []).append(r.id)
        for verdict, n in verdict_counts(str(r.verdict) for r in results).items():
            table.add_row(Text(verdict, style=STYLES.get(verdict, "")), str(n),
                          ", ".join(ids[verdict]))
        fragile = [r.id for r in results if robustness(r) == FRAGILE]
        if fragile:
            table.add_row(Text(f"{FRAGILE} (qualifier)", style=STYLES[FRAGILE]),
                          str(len(fragile)), ", ".join(fragile))
        return table
