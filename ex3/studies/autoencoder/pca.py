"""The PCA baseline's one fit: scikit-learn's PCA by covariance eigendecomposition, float64.

The autoencoder study, its benchmark target and the peer timing all fit PCA;
fitting it in one place keeps them measuring the same baseline.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from ex3.data.mnist import MnistData


def fit_pca(x: np.ndarray, components: int) -> PCA:
    """PCA with ``components`` components fit on the rows of ``x`` (converted to float64)."""
    return PCA(components, svd_solver="covariance_eigh").fit(np.asarray(x, dtype=np.float64))


_PCA_FITS: dict[tuple[str, int], PCA] = {}


def pca_for(data: MnistData, components: int) -> PCA:
    """PCA fit on ``data``'s training images, once per training set (keyed by its identity)."""
    key = (data.identity, components)
    if key not in _PCA_FITS:
        _PCA_FITS[key] = fit_pca(data.train_x.flatten(1).numpy(), components)
    return _PCA_FITS[key]
