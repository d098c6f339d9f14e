"""The learning-rate sweep has no open choice: the report and its setup fix every one.

The report trains "the convnet network using SGD optimizer, with 5 epochs
for each learning rate" over the grid {1e-4, 1e-3, 1e-2, 1e-1, 1}; L4 sweeps
Adam over the same grid (CLAIMS.md); the convnet, the data and Keras'
defaults (batch 32, Glorot initialisation, plain SGD without momentum) are
the report's protocol. Nothing is left to vary, so L1-L4 are reported as not
varied, with this reason, rather than as robust.
"""

from __future__ import annotations

from ex3.studies.neighbourhood import Neighbourhood

NO_CHOICE = ("no open choice: the report fixes SGD, the rate grid and 5 epochs per rate; the "
             "convnet, the data and Keras' defaults (batch 32, Glorot) are its protocol")


def neighbourhood(profile: str) -> Neighbourhood:
    """The same in every profile: none."""
    return Neighbourhood(claims=("L1", "L2", "L3", "L4"), no_choice=NO_CHOICE)
