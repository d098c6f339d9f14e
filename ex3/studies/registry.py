"""The report's sections, in its order: the one list a new section is added to.

A section is a package under ``ex3.studies`` whose ``__init__`` defines
``STUDY``, an ``ex3.studies.contract.Study``; adding one is that package and
one line below. Everything else (claims, ``ex3 verify``, ``pytest claims/``,
figures, falsification worlds, robustness, parallel training) finds it here.
"""

from __future__ import annotations

from ex3.studies import autoencoder, handwritten, learning_rate, mnist, toy
from ex3.studies.contract import Study

STUDIES: tuple[Study, ...] = (
    toy.STUDY,
    mnist.STUDY,
    learning_rate.STUDY,
    autoencoder.STUDY,
    handwritten.STUDY,
)
