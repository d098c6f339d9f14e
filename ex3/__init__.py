"""ex3-claims: an executable re-check of the claims of the "Convnets - ex3" report."""

__version__ = "0.1.0"
