"""Every claim of the report, in the report's order, looked up by id."""

from __future__ import annotations

import functools
import importlib
from types import ModuleType

from ex3.engine.claim import Claim
from ex3.errors import UsageError

#: The report's sections, in its order; each is a package under ``ex3.studies``.
STUDIES = ("toy", "mnist", "learning_rate", "autoencoder", "handwritten")


@functools.cache
def all_claims() -> tuple[Claim, ...]:
    """All claims, section by section in the report's order."""
    return tuple(c for module in study_modules("claims") for c in module.CLAIMS)


def study_modules(name: str) -> list[ModuleType]:
    """Each study's module ``ex3.studies.<study>.<name>``, in the report's order, where it exists.

    Claims, figures and falsification worlds are all found this way, so a new
    section needs no registration anywhere else.
    """
    modules = []
    for study in STUDIES:
        try:
            modules.append(importlib.import_module(f"ex3.studies.{study}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"ex3.studies.{study}"):
                continue
            raise
    return modules


def get_claim(claim_id: str) -> Claim:
    """The claim with this id; a UsageError naming the known ids otherwise."""
    by_id = {c.id: c for c in all_claims()}
    try:
        return by_id[claim_id]
    except KeyError:
        known = ", ".join(by_id)
        raise UsageError(f"unknown claim id {claim_id!r}; known ids: {known}") from None


def select(ids: list[str] | None) -> list[Claim]:
    """The claims named by ``ids`` (all when None), in the report's order."""
    if not ids:
        return list(all_claims())
    wanted = {get_claim(i).id for i in ids}
    return [c for c in all_claims() if c.id in wanted]
