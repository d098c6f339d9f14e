"""The choices a study's protocol makes where the report is silent, and their neighbours.

The report gives almost no hyper-parameters, so each protocol fills gaps
(learning rate, batch size, the linear model's start, epochs, the
autoencoder's loss, ...). A study declares, beside its protocol and before
anything is measured, each such *open* choice with the value the protocol
takes and the other values a competent practitioner could have picked. The
choices the report or the setup it takes for granted fix (architectures,
the report's learning-rate grid, SGD for the sweep, its 5 epochs per rate,
Keras' defaults for the MNIST models: CLAIMS.md) are never varied: a study
names them as ``fixed`` and a test checks that no option touches them.

An option is a set of protocol-field overrides (``RunContext.overrides``),
so a neighbour is measured by the very code that measures the declared
protocol, and its evidence records the protocol it ran.

Two designs enumerate the neighbours (the declared protocol itself is never
one of them; it is measured as usual):

* ``factorial``: every combination of the choices' values (cheap studies);
* ``one_at_a_time``: each other value of each choice, the rest declared,
  plus a seeded random sample of ``budget`` further combinations.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any, Literal

Overrides = tuple[tuple[str, Any], ...]

DESIGNS = ("factorial", "one_at_a_time")


@dataclass(frozen=True)
class Option:
    """One value of a choice: its label, and the protocol fields it sets."""

    label: str
    overrides: Overrides


@dataclass(frozen=True)
class Choice:
    """An open choice: the declared value's label and the other values worth trying."""

    name: str
    declared: str
    alternatives: tuple[Option, ...]
    #: Why these values (a competent practitioner's range), shown in the report.
    why: str = ""

    def __post_init__(self) -> None:
        if not self.alternatives:
            raise ValueError(f"choice {self.name!r} has no alternative value")
        labels = [self.declared, *(o.label for o in self.alternatives)]
        if len(set(labels)) != len(labels):
            raise ValueError(f"choice {self.name!r} repeats a value: {labels}")

    @property
    def fields(self) -> set[str]:
        """The protocol fields this choice's options set."""
        return {name for option in self.alternatives for name, _ in option.overrides}


@dataclass(frozen=True)
class Neighbour:
    """One protocol of a neighbourhood: which value it takes for each choice it changes."""

    changes: tuple[tuple[str, str], ...]  # (choice name, option label), in choice order
    overrides: Overrides

    @property
    def label(self) -> str:
        return ", ".join(f"{name} = {value}" for name, value in self.changes)


@dataclass(frozen=True)
class Neighbourhood:
    """A study's open choices for the claims it measures, and how to enumerate them.

    ``fixed`` names the protocol fields the report (or the setup it takes for
    granted) decides; ``no_choice`` replaces the choices where there is none
    to vary, saying why (the claims are then reported as not varied). A
    study declares one per profile (``neighbourhood(profile)`` in its
    ``neighbourhood`` module): the quick profile may vary a documented subset.
    """

    claims: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    design: Literal["factorial", "one_at_a_time"] = "one_at_a_time"
    fixed: tuple[str, ...] = ()
    no_choice: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ValueError(f"design must be one of {DESIGNS}, not {self.design!r}")
        if not self.choices and self.no_choice is None:
            raise ValueError("a neighbourhood without choices must say why (no_choice)")
        seen: set[str] = set()
        for choice in self.choices:
            clash = (choice.fields & seen) | (choice.fields & set(self.fixed))
            if clash:
                raise ValueError(f"choice {choice.name!r} sets {sorted(clash)}, which another "
                                 "choice sets or the protocol fixes")
            seen |= choice.fields


def neighbours(neighbourhood: Neighbourhood, budget: int = 0, seed: int = 0) -> list[Neighbour]:
    """The neighbourhood's protocols, never the declared one, in a fixed order.

    ``factorial``: every combination of values but the all-declared one.
    ``one_at_a_time``: each alternative alone, then ``budget`` further
    combinations drawn without replacement by ``random.Random(seed)`` from the
    rest of the factorial (all of them when fewer remain).
    """
    if budget < 0:
        raise ValueError(f"budget must be 0 or more, not {budget}")
    choices = neighbourhood.choices
    values: list[list[Option | None]] = [[None, *c.alternatives] for c in choices]
    combos = [combo for combo in itertools.product(*values)
              if any(o is not None for o in combo)]
    if neighbourhood.design == "factorial":
        picked = combos
    else:
        single = [tuple(option if j == i else None for j in range(len(choices)))
                  for i, choice in enumerate(choices) for option in choice.alternatives]
        rest = [combo for combo in combos if sum(o is not None for o in combo) > 1]
        extra = random.Random(seed).sample(rest, min(budget, len(rest)))
        picked = single + extra
    return [_neighbour(choices, combo) for combo in picked]


def _neighbour(choices: tuple[Choice, ...], combo: tuple[Option | None, ...]) -> Neighbour:
    changes = tuple((c.name, o.label) for c, o in zip(choices, combo, strict=True)
                    if o is not None)
    overrides = tuple(item for o in combo if o is not None for item in o.overrides)
    return Neighbour(changes, overrides)
