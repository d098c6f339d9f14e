"""The claims of the report's "Autoencoders" section (A1-A5)."""

from __future__ import annotations

from ex3.studies.autoencoder import judge
from ex3.studies.autoencoder.study import measure
from ex3.studies.contract import Claim

SECTION = "Autoencoders"
CURVES = ("ae_learning_curves",)
CODES = ("ae_codes_scatter",)
PANEL = ("ae_ten_images",)

CLAIMS = (
    Claim("A1", SECTION,
          "we can see that the loss decreases as we increase the number of epochs",
          "The autoencoder's loss decreases as epochs increase.",
          f"train loss falls with the epochs as a trend: Kendall's tau < 0 with one-sided "
          f"p < {judge.TREND_P:g}, last epoch below the first, every seed (test-loss trend and "
          f"share of falling steps shown as sub-checks)",
          measure, judge.judge_a1, figures=CURVES),
    Claim("A2", SECTION,
          "an autoencoder that performed best and better than the PCA",
          "The autoencoder reconstructs images better than PCA with the same 2 dimensions.",
          "test MSE per pixel below 2-component PCA's in every seed",
          measure, judge.judge_a2, figures=PANEL,
          comparisons=judge.comparisons_a2),
    Claim("A3", SECTION,
          "in the autoencoder scatter the clusters of the digits are better separated than in "
          "the pca scatter",
          "Its 2-D codes separate the digit classes better than PCA's 2-D projection.",
          "kNN accuracy of the digit labels from the test codes above PCA's in every seed "
          "(silhouette shown as a sub-check)",
          measure, judge.judge_a3, figures=CODES,
          comparisons=judge.comparisons_a3),
    Claim("A4", SECTION,
          "the autoencoder successfully decoded 9 out of 10 images ... the pca only "
          "successfully decoded 5 out of 10 images",
          "Autoencoder reconstructions are recognisable 9 times in 10, PCA's 5 times in 10.",
          "convnet-recognised share of test reconstructions above PCA's every seed, and 9/10 and "
          f"5/10 pass a two-sided binomial test (each tail >= {judge.TAIL:.1%}) at those shares",
          measure, judge.judge_a4, figures=PANEL,
          comparisons=judge.comparisons_a4),
    Claim("A5", SECTION,
          "as I turned off some of the layers I achieved better results",
          "The shallower autoencoder beats the deeper one it started from.",
          "shallow test MSE per pixel below the deep one's in every seed",
          measure, judge.judge_a5, figures=CURVES,
          comparisons=judge.comparisons_a5),
)
