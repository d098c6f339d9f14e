"""ex3-claims: an executable re-check of the claims of the "Convnets - ex3" report."""

from ex3.config import prefer_short_openmp_waits

__version__ = "0.1.0"

# Before any ex3 module imports torch, which reads OpenMP's settings once when it loads.
prefer_short_openmp_waits()
