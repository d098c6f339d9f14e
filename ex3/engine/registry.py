"""Every claim of the report, in the report's order, looked up by id.

The claims come from the studies registered in ``ex3.studies.registry``
(read at each call, so a registry extended at run time is seen at once).
"""

from __future__ import annotations

from ex3.errors import UsageError
from ex3.studies import registry
from ex3.studies.contract import Claim, Study


def studies() -> tuple[Study, ...]:
    """The registered studies, in the report's order."""
    return registry.STUDIES


def all_claims() -> tuple[Claim, ...]:
    """All claims, section by section in the report's order."""
    return tuple(c for study in studies() for c in study.claims())


def study_of(claim: Claim | str) -> Study:
    """The study that declares ``claim`` (a claim or its id)."""
    claim_id = claim if isinstance(claim, str) else claim.id
    for study in studies():
        if any(c.id == claim_id for c in study.claims()):
            return study
    raise UsageError(f"unknown claim id {claim_id!r}; known ids: "
                     f"{', '.join(c.id for c in all_claims())}")


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
