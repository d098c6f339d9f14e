"""What the autoencoder study measures: per seed, each coder's metrics, and the judge's reading.

A coder is one of the two autoencoders (trained: its loss curves too) or the
PCA baseline (its explained variance too); both are measured by the same
code on the same images (``ex3.studies.autoencoder.study.method_outputs``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ex3.studies.contract import Evidence

#: Epochs over which the evidence records the train loss's relative change (``train_loss_rel_
#: change_last_10_epochs``): whether it has flattened is visible beside the verdicts.
FLATTEN_WINDOW = 10


@dataclass(frozen=True, kw_only=True)
class CoderMetrics:
    """Reconstruction, code separation and recognisability of one coder on the test images."""

    train_mse: float
    test_mse: float
    test_bce: float
    knn_acc: float
    #: Undefined (None) when every test code is the same point.
    silhouette: float | None
    recognisable_share: float
    ten_correct: int
    ten_read: list[int]
    dead_code_units: int
    code_dim: int

    def metric(self, name: str) -> float | None:
        """A metric by name (``test_mse``, ``knn_acc``, ...)."""
        value = getattr(self, name)
        return None if value is None else float(value)


@dataclass(frozen=True, kw_only=True)
class TrainedCoder(CoderMetrics):
    """An autoencoder: the metrics, and its loss after each epoch (index 0: before training)."""

    train_loss_curve: list[float]
    test_loss_curve: list[float]
    train_loss: float
    train_loss_first_epoch: float | None
    test_loss: float
    train_loss_rel_change_last_10_epochs: float | None
    diverged: bool
    train_seconds: float


@dataclass(frozen=True, kw_only=True)
class PcaCoderMetrics(CoderMetrics):
    """The PCA baseline: the metrics, and the variance share each component explains."""

    explained_variance_ratio: list[float]


@dataclass(frozen=True, kw_only=True)
class JudgeReading:
    """The MNIST convnet that reads the reconstructions, and how it reads the originals."""

    model: str
    seed: int
    test_acc_on_originals: float
    ten_read_originals: list[int]


@dataclass(frozen=True, kw_only=True)
class TenImages:
    """The ten panel images: their test-set indices and digits."""

    indices: list[int]
    labels: list[int]


@dataclass(frozen=True, kw_only=True)
class AutoencoderEvidence(Evidence):
    """``per_seed[seed][coder]``, the judge's reading, the panel images and the MNIST read."""

    per_seed: dict[str, dict[str, TrainedCoder | PcaCoderMetrics]]
    judge: JudgeReading
    ten_images: TenImages
    data_kind: str
    data_source: str

    def seeds(self) -> list[dict[str, TrainedCoder | PcaCoderMetrics]]:
        """Each seed's coders by name, in order."""
        return list(self.per_seed.values())
