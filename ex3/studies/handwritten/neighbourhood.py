"""The handwritten page's claims are exact: no protocol, so no neighbourhood.

S1 (the sigmoid's derivative identity), G1 (the toy CNN's hand-derived
gradients) and G2 (zero ReLU outputs freeze the filters) are checked
symbolically and in float64 against autograd at any point: there is no
learning rate, batch or epoch count to choose, so nothing to vary.
"""

from __future__ import annotations

from ex3.studies.neighbourhood import Neighbourhood

NO_CHOICE = "exact: a derivation checked symbolically and in float64, no choice to vary"


def neighbourhood(profile: str) -> Neighbourhood:
    """The same in every profile: none."""
    return Neighbourhood(claims=("S1", "G1", "G2"), no_choice=NO_CHOICE)
