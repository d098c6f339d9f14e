"""The PCA baseline's one fit: scikit-learn's PCA by covariance eigendecomposition, float64.

The autoencoder study, its benchmark target and the peer timing all fit PCA;
fitting it in one place keeps them measuring the same baseline.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from ex3.data.mnist import MnistData
from ex3.studies.contract import SessionCache


def fit_pca(x: np.ndarray, components: int) -> PCA:
    """PCA with ``components`` components fit on the rows of ``x`` (converted to float64)."""
    return PCA(components, svd_solver="covariance_eigh").fit(np.asarray(x, dtype=np.float64))


def pca_for(data: MnistData, components: int, cache: SessionCache | None = None) -> PCA:
    """PCA fit on ``data``'s training images; once per training set and session with a ``cache``
    (keyed by the training set's identity)."""
    def fit() -> PCA:
        return fit_pca(data.train_x.flatten(1).numpy(), components)

    if cache is None:
        return fit()
    return cache.get(("autoencoder.pca", data.identity, components), fit)
