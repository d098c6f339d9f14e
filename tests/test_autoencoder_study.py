"""The autoencoders, the A1-A5 judges and the study's measuring code.

Judge tests feed made-up evidence both ways; the falsification tests push PCA
through the real measuring code in the autoencoder's place and expect the
comparative claims to fail, so a judge that passes anything would be caught.
"""

from __future__ import annotations

import copy
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA
from torch import nn

from ex3 import config
from ex3.data.mnist import MnistData, load_mnist
from ex3.engine.claim import RunContext, Verdict
from ex3.models import autoencoder as ae
from ex3.models.mnist import lenet
from ex3.models.registry import model_spec
from ex3.report.figures import registry as figure_registry
from ex3.studies.autoencoder import judge, study
from ex3.studies.autoencoder.claims import CLAIMS
from ex3.studies.autoencoder.evidence import (
    FLATTEN_WINDOW,
    AutoencoderEvidence,
    PcaCoderMetrics,
    TrainedCoder,
)
from ex3.studies.autoencoder.pca import pca_for
from ex3.studies.contract import SessionCache
from ex3.studies.mnist.data import data_for
from ex3.training.seeding import build_seeded

R, NR = Verdict.REPRODUCED, Verdict.NOT_REPRODUCED


# --------------------------------------------------------------------------- models


def _linear_shapes(model: nn.Module) -> list[tuple[int, int]]:
    return [(m.in_features, m.out_features) for m in model.modules() if isinstance(m, nn.Linear)]


def test_shallow_autoencoder_has_the_reports_widths() -> None:
    model = ae.autoencoder()
    assert _linear_shapes(model) == [(784, 512), (512, 128), (128, 2), (2, 128), (128, 512),
                                     (512, 784)]


def test_deep_autoencoder_mirrors_its_encoder() -> None:
    widths = [784, 512, 256, 128, 64, 32, 16, 8, 4, 2]
    expected = list(itertools.pairwise(widths))
    expected += [(b, a) for a, b in reversed(expected)]
    assert _linear_shapes(ae.autoencoder_deep()) == expected


@pytest.mark.parametrize("name", ["autoencoder", "autoencoder_deep"])
def test_activations_relu_everywhere_and_sigmoid_output(name: str) -> None:
    model = ae.BUILDERS[name]()
    layers = [*model.encoder, *model.decoder]
    linear = [m for m in layers if isinstance(m, nn.Linear)]
    relu = [m for m in layers if isinstance(m, nn.ReLU)]
    assert isinstance(model.encoder[-1], nn.ReLU), "the 2-unit code layer has ReLU"
    assert isinstance(layers[-1], nn.Sigmoid)
    assert len(relu) == len(linear) - 1


@pytest.mark.parametrize("name", ["autoencoder", "autoencoder_deep"])
def test_encode_and_forward_shapes(name: str) -> None:
    model = build_seeded(ae.BUILDERS[name], 0)
    images = torch.rand(5, 1, 28, 28)
    code = model.encode(images)
    out = model(images)
    assert code.shape == (5, 2) and (code >= 0).all()
    assert out.shape == (5, 784) and ((out > 0) & (out < 1)).all()
    assert torch.equal(model(images.flatten(1)), out)
    assert torch.equal(model.decode(code), out)


def test_keras_initialisation_zero_biases() -> None:
    model = ae.autoencoder()
    for m in model.modules():
        if isinstance(m, nn.Linear):
            assert torch.count_nonzero(m.bias) == 0
            bound = math.sqrt(6 / (m.in_features + m.out_features))
            assert m.weight.abs().max() <= bound


def test_reconstruction_loss_is_binary_cross_entropy() -> None:
    pred = torch.tensor([[0.9, 0.2]])
    target = torch.tensor([[1.0, 0.0]])
    expected = -(math.log(0.9) + math.log(0.8)) / 2
    assert ae.reconstruction_loss(pred, target).item() == pytest.approx(expected, rel=1e-6)
    images = torch.rand(3, 1, 28, 28)
    assert ae.reconstruction_loss(images.flatten(1), images).item() == pytest.approx(
        F.binary_cross_entropy(images.flatten(1), images.flatten(1)).item())


@pytest.mark.parametrize("name", ["autoencoder", "autoencoder_deep"])
def test_registered_as_input_reconstructing_models(name: str) -> None:
    spec = model_spec(name)
    assert spec.target == "inputs" and not spec.classify
    assert spec.loss is ae.reconstruction_loss


# --------------------------------------------------------------------------- protocol and wiring


def test_protocols_per_profile() -> None:
    quick = study.protocol_for(RunContext(profile="quick"))
    full = study.protocol_for(RunContext(profile="full"))
    # On the bundled sample (a fresh clone without the official data) the quick profile
    # trains on the whole 3,000-image sample instead of a 10,000-image subset.
    on_sample = data_for(RunContext()).kind == "sample"
    assert len(quick.seeds) == 2 and quick.epochs == 12
    assert quick.n_train == (None if on_sample else 10_000)
    assert len(full.seeds) == 3 and full.n_train is None and full.epochs == 50
    for p in (quick, full):
        assert (p.optimizer, p.lr, p.batch_size, p.knn_k) == ("adam", 1e-3, 256, 5)
        assert p.ten_images == tuple(range(10))
        assert p.spec("autoencoder", 0).config.epochs == p.epochs


def test_claims_ids_section_and_figures() -> None:
    assert [c.id for c in CLAIMS] == ["A1", "A2", "A3", "A4", "A5"]
    known = figure_registry()
    for claim in CLAIMS:
        assert claim.section == "Autoencoders"
        assert claim.measure is study.measure and claim.judge is not None
        assert claim.figures and all(f in known for f in claim.figures)
    assert {"ae_learning_curves", "ae_codes_scatter", "ae_ten_images"} <= set(known)


# --------------------------------------------------------------------------- made-up evidence


TEN_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def _method(mse: float, knn: float = 0.5, sil: float = 0.0, share: float = 0.5,
            ten: int = 5, dead: int = 0) -> dict:
    """A coder's metrics; of the ten panel images the first ``ten`` are read right."""
    read = [d if k < ten else (d + 1) % 10 for k, d in enumerate(TEN_LABELS)]
    return {"train_mse": mse, "test_mse": mse, "test_bce": 0.1, "knn_acc": knn,
            "silhouette": sil, "recognisable_share": share, "ten_correct": ten,
            "ten_read": read, "dead_code_units": dead, "code_dim": 2}


def _curves(train: list[float], test: list[float] | None = None,
            diverged: bool = False) -> dict:
    """A trained autoencoder's loss curves and what the evidence derives from them."""
    tail, test = train[-FLATTEN_WINDOW - 1:], test or list(train)
    return {"train_loss_curve": train, "test_loss_curve": test,
            "train_loss": train[-1], "train_loss_first_epoch": train[1] if len(train) > 1 else None,
            "test_loss": test[-1],
            "train_loss_rel_change_last_10_epochs":
                (tail[-1] - tail[0]) / tail[0] if len(tail) > 1 and tail[0] else None,
            "diverged": diverged, "train_seconds": 1.0}


def _pca(metrics: dict, explained: tuple[float, ...] = (0.10, 0.07)) -> dict:
    """The PCA baseline's entry: its metrics and the variance its components explain."""
    return {**metrics, "explained_variance_ratio": list(explained)}


def _full(per_seed: dict, data_kind: str = "full", data_source: str = "made up") -> dict:
    """Evidence around ``per_seed``: the judge's reading, the panel images, the MNIST read."""
    return {"per_seed": per_seed,
            "judge": {"model": "convnet", "seed": 0, "test_acc_on_originals": 0.99,
                      "ten_read_originals": list(TEN_LABELS)},
            "ten_images": {"indices": list(range(10)), "labels": list(TEN_LABELS)},
            "data_kind": data_kind, "data_source": data_source}


def _typed(evidence: dict) -> AutoencoderEvidence:
    return AutoencoderEvidence.from_json(evidence)


FALLING = [0.69, 0.26, 0.24, 0.22, 0.21, 0.205, 0.20]


def _evidence(n_seeds: int = 3, **overrides: dict) -> dict:
    """Evidence where every claim holds; ``overrides[method]`` is merged into every seed."""
    seed = {"autoencoder": {**_method(0.040, knn=0.70, sil=0.10, share=0.85, ten=9),
                            **_curves(FALLING)},
            "autoencoder_deep": {**_method(0.050, dead=1), **_curves(FALLING)},
            "pca": _pca(_method(0.056, knn=0.43, sil=0.02, share=0.45, ten=5))}
    per_seed = {}
    for s in range(n_seeds):
        one = copy.deepcopy(seed)
        for method, values in overrides.items():
            one[method].update(values)
        per_seed[str(s)] = one
    return _full(per_seed)


def _with_seed(evidence: dict, seed: str, method: str, **values: object) -> dict:
    out = copy.deepcopy(evidence)
    out["per_seed"][seed][method].update(values)
    return out


def test_evidence_round_trips_through_json_and_refuses_unknown_keys() -> None:
    evidence = _typed(_evidence())
    assert AutoencoderEvidence.from_json(evidence.to_json()) == evidence
    coders = evidence.seeds()[0]
    assert isinstance(coders["autoencoder"], TrainedCoder)
    assert isinstance(coders["pca"], PcaCoderMetrics)
    with pytest.raises(ValueError, match="judge_model"):
        _typed({**_evidence(), "judge_model": "convnet"})
    with pytest.raises(ValueError, match="knn_accuracy"):
        _typed(_with_seed(_evidence(), "0", "pca", knn_accuracy=0.43))


JUDGES = {"A1": judge.judge_a1, "A2": judge.judge_a2, "A3": judge.judge_a3,
          "A4": judge.judge_a4, "A5": judge.judge_a5}


@pytest.mark.parametrize("claim_id", list(JUDGES))
def test_every_judge_reproduces_on_evidence_that_holds(claim_id: str) -> None:
    judgement = JUDGES[claim_id](_typed(_evidence()))
    assert judgement.verdict is R, judgement.reason


def test_a1_fails_on_flat_rising_trendless_short_or_diverged_loss() -> None:
    rising = [0.69, 0.26, 0.27, 0.28, 0.29]
    trendless = [0.69, 0.30, 0.31, 0.29, 0.32, 0.30, 0.31]
    for curves in (_curves(rising), _curves(trendless), _curves(FALLING, diverged=True),
                   _curves([0.69, 0.26]), _curves([0.69, 0.26, 0.26, 0.26])):
        evidence = _with_seed(_evidence(), "1", "autoencoder", **curves)
        judgement = judge.judge_a1(_typed(evidence))
        assert judgement.verdict is NR, (curves, judgement.reason)


def test_a1_reads_a_trend_not_every_step() -> None:
    """A loss that zigzags down decreases as the epochs increase (tau -0.57, p 3%); that it
    falls in only half of the steps, and that the test loss rises, are sub-checks."""
    zigzag = [0.69, 0.30, 0.25, 0.29, 0.24, 0.28, 0.23, 0.27, 0.22]
    rising = [0.69, 0.26, 0.27, 0.28, 0.29, 0.30, 0.31, 0.32, 0.33]
    evidence = _with_seed(_evidence(), "1", "autoencoder", **_curves(zigzag, test=rising))
    judgement = judge.judge_a1(_typed(evidence))
    assert judgement.verdict is R, judgement.reason
    assert judgement.sub_checks["train loss falls in >= 80% of epoch steps"] == "2 of 3 seeds"
    assert judgement.sub_checks[
        "test loss falls as a trend too (tau < 0, p < 5%, ends lower)"] == "2 of 3 seeds"


def test_a1_falling_share_counts_steps_after_the_first_epoch() -> None:
    assert judge.falling_share([0.7, 0.3, 0.2, 0.25, 0.1]) == pytest.approx(2 / 3)
    assert judge.falling_share([0.7, 0.3]) == 0.0
    # exactly at the bar passes: 4 falls in 5 steps
    curve = [0.7, 0.30, 0.29, 0.28, 0.285, 0.27, 0.26]
    assert judge.falling_share(curve) == pytest.approx(judge.MONOTONE_SHARE)
    evidence = _evidence(autoencoder=_curves(curve))
    assert judge.judge_a1(_typed(evidence)).verdict is R


def test_a2_fails_when_one_seed_is_worse_than_pca() -> None:
    evidence = _with_seed(_evidence(), "2", "autoencoder", test_mse=0.057)
    judgement = judge.judge_a2(_typed(evidence))
    assert judgement.verdict is NR and "0.0570" in judgement.reason


def test_a2_equal_to_pca_is_not_better() -> None:
    assert judge.judge_a2(_typed(_evidence(autoencoder={"test_mse": 0.056}))).verdict is NR


def test_a3_knn_accuracy_decides_and_silhouette_is_a_sub_check() -> None:
    knn_only = _evidence(autoencoder={"silhouette": -0.05})
    nan_sil = _with_seed(_evidence(), "0", "autoencoder", silhouette=float("nan"))
    undefined = _with_seed(_evidence(), "1", "autoencoder", silhouette=None)
    for evidence, above in ((knn_only, 0), (nan_sil, 2), (undefined, 2)):
        judgement = judge.judge_a3(_typed(evidence))
        assert judgement.verdict is R
        assert judgement.sub_checks["silhouette above PCA's"] == f"{above} of 3 seeds"
    sil_only = _evidence(autoencoder={"knn_acc": 0.40})
    one_seed = _with_seed(_evidence(), "2", "autoencoder", knn_acc=0.43)
    for evidence in (sil_only, one_seed):
        assert judge.judge_a3(_typed(evidence)).verdict is NR


def _binomial_tails_by_sum(count: int, n: int, p: float) -> tuple[float, float]:
    """The tails as the judge computed them before scipy: exact sums of the pmf."""
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    return sum(pmf[: count + 1]), sum(pmf[count:])


@pytest.mark.parametrize(("count", "n", "p"), [(0, 10, 0.5), (5, 10, 0.45), (9, 10, 0.5),
                                               (10, 10, 0.75), (3, 10, 0.1), (7, 20, 0.3)])
def test_binomial_tails_match_the_exact_sums(count: int, n: int, p: float) -> None:
    low, high = judge.binomial_tails(count, n, p)
    want_low, want_high = _binomial_tails_by_sum(count, n, p)
    assert abs(low - want_low) <= 1e-12 and abs(high - want_high) <= 1e-12


def test_binomial_tails_and_consistency() -> None:
    low, high = judge.binomial_tails(9, 10, 0.5)
    assert high == pytest.approx(11 / 1024)
    assert low == pytest.approx(1 - 1 / 1024)
    assert not judge.consistent(9, 0.5)  # P(X >= 9) = 1.07% < 2.5%
    assert judge.consistent(9, 0.75)
    assert judge.consistent(5, 0.45)
    assert not judge.consistent(5, 0.1)


def test_a4_fails_when_pca_is_as_recognisable_or_the_rates_are_off() -> None:
    pca_better = _with_seed(_evidence(), "1", "pca", recognisable_share=0.9)
    low_ae = _evidence(autoencoder={"recognisable_share": 0.5})  # 9/10 at 50%: 1.1% tail
    low_pca = _evidence(pca={"recognisable_share": 0.1})  # 5/10 at 10%: 0.16% tail
    for evidence in (pca_better, low_ae, low_pca):
        judgement = judge.judge_a4(_typed(evidence))
        assert judgement.verdict is NR, judgement.reason


def test_a4_ten_image_counts_are_evidence_not_the_verdict() -> None:
    evidence = _evidence(autoencoder={"ten_correct": 6}, pca={"ten_correct": 7})
    judgement = judge.judge_a4(_typed(evidence))
    assert judgement.verdict is R and "[6, 6, 6]/10" in judgement.reason


def test_a5_fails_when_the_deep_one_is_better_in_a_seed() -> None:
    evidence = _with_seed(_evidence(), "0", "autoencoder_deep", test_mse=0.039)
    assert judge.judge_a5(_typed(evidence)).verdict is NR


# --------------------------------------------------------------------------- measuring code


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> MnistData:
    """The bundled MNIST sample, whatever the environment points at."""
    monkeypatch.delenv(config.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(tmp_path / "empty-cache"))
    data = load_mnist()
    assert data.kind == "sample"
    return data


@pytest.fixture
def untrained_judge() -> nn.Module:
    return build_seeded(lenet, 0).eval()


def test_pca_fit_is_deterministic_and_reconstructs_by_inverse_transform(
        sample: MnistData) -> None:
    cache = SessionCache()
    first = pca_for(sample, 2, cache)
    assert pca_for(sample, 2, cache) is first
    again = PCA(2, svd_solver="full").fit(sample.train_x.flatten(1).numpy())
    assert np.allclose(np.abs(first.components_), np.abs(again.components_), atol=1e-4)
    coder = study.PcaCoder(first)
    x = sample.test_x[:4].flatten(1)
    expected = first.inverse_transform(first.transform(x.numpy().astype(np.float64)))
    assert np.allclose(coder.decode(coder.encode(x)).numpy(), expected)


def test_dead_code_units_are_counted(sample: MnistData, untrained_judge: nn.Module) -> None:
    model = build_seeded(ae.autoencoder, 0).eval()
    with torch.no_grad():
        model.encoder[-2].weight[1].zero_()  # unit 1 of the code: relu(0 + 0) on every image
    out = study.method_outputs(model, sample, untrained_judge, list(range(10)), 5)
    assert out.metrics["dead_code_units"] == 1
    assert out.metrics["code_dim"] == 2 and out.test_codes.shape == (len(sample.test_y), 2)
    assert out.ten_reconstructions.shape == (10, 784) and len(out.ten_read) == 10
    assert out.metrics["silhouette"] is not None


def test_a_collapsed_code_has_an_undefined_silhouette(sample: MnistData,
                                                      untrained_judge: nn.Module) -> None:
    model = build_seeded(ae.autoencoder, 0).eval()
    with torch.no_grad():
        model.encoder[-2].weight.zero_()  # both code units dead: one output for every image
    metrics = study.method_outputs(model, sample, untrained_judge, list(range(10)), 5).metrics
    assert metrics["dead_code_units"] == 2 and metrics["silhouette"] is None
    assert metrics["knn_acc"] <= 0.2


def test_falsified_pca_in_place_of_the_autoencoder_is_not_better_than_pca(
        sample: MnistData, untrained_judge: nn.Module) -> None:
    """PCA measured as if it were the autoencoder: A2, A3 and A4 must not be reproduced."""
    fit = pca_for(sample, 2)
    pca = study.PcaCoder(fit)
    measured = study.method_outputs(pca, sample, untrained_judge, list(range(10)), 5).metrics
    assert 0 < measured["test_mse"] < 0.1 and 0 < measured["knn_acc"] < 1
    seed = {"autoencoder": {**measured, **_curves(FALLING)},
            "autoencoder_deep": {**measured, **_curves(FALLING)},
            "pca": _pca(measured, tuple(float(v) for v in fit.explained_variance_ratio_))}
    evidence = _typed(_full({"0": seed, "1": copy.deepcopy(seed)}, sample.kind, sample.source))
    for claim_id in ("A2", "A3", "A4", "A5"):
        judgement = JUDGES[claim_id](evidence)
        assert judgement.verdict is NR, (claim_id, judgement.reason)


def test_a_real_difference_in_reconstruction_is_seen_by_a2(
        sample: MnistData, untrained_judge: nn.Module) -> None:
    """PCA with 2 components against PCA with 20 standing in as the autoencoder: A2 holds."""
    fit = pca_for(sample, 2)
    two = study.method_outputs(study.PcaCoder(fit), sample,
                               untrained_judge, list(range(10)), 5).metrics
    twenty = study.method_outputs(study.PcaCoder(pca_for(sample, 20)), sample,
                                  untrained_judge, list(range(10)), 5).metrics
    seed = {"autoencoder": {**twenty, **_curves(FALLING)},
            "pca": _pca(two, tuple(float(v) for v in fit.explained_variance_ratio_))}
    evidence = _typed(_full({"0": seed}, sample.kind, sample.source))
    assert judge.judge_a2(evidence).verdict is R


def test_planned_runs_are_exactly_the_runs_the_study_trains(monkeypatch) -> None:
    """``ex3 verify --workers`` prefetches every run the study asks for, judge included."""
    from ex3.training.loop import EpochRecord, History
    from ex3.training.runs import RunResult

    requested = []

    def fake_run(spec, data, progress=None):
        requested.append(spec)
        history = History([EpochRecord(e, e, 1.0, 1.0, None, None, 0.0) for e in range(2)])
        return RunResult(spec, history, nn.Linear(1, 1), True)

    monkeypatch.setattr(study, "run", fake_run)
    ctx = RunContext(profile="quick", overrides=(("epochs", 1),))
    study.runs(ctx)
    study.judge_model(ctx)
    planned = study.planned_runs(ctx)
    assert len(planned) == len(set(planned)) == 2 * 2 + 1
    assert set(planned) == set(requested)
    pca_slot = RunContext(profile="quick",
                          overrides=(("substitutions", (("autoencoder", "pca"),)),))
    assert [s.model for s in study.planned_runs(pca_slot)] == ["autoencoder_deep"] * 2 + ["convnet"]


def test_comparisons_favour_the_winner_and_skip_an_undefined_silhouette() -> None:
    from ex3.engine.statistics import compare

    holds = _typed(_evidence())
    stats = {name: compare(*pair) for c in (judge.comparisons_a2, judge.comparisons_a3,
                                            judge.comparisons_a4, judge.comparisons_a5)
             for name, pair in c(holds).items()}
    assert set(stats) == {"autoencoder vs pca, test_mse", "autoencoder vs pca, knn_acc",
                          "autoencoder vs pca, silhouette",
                          "autoencoder vs pca, recognisable_share",
                          "autoencoder vs autoencoder_deep, test_mse"}
    assert all(s["mean_difference"] > 0 and s["prob_improvement"] == 1.0
               for s in stats.values())
    worse = compare(*judge.comparisons_a2(_typed(_evidence(autoencoder={"test_mse": 0.07})))[
        "autoencoder vs pca, test_mse"])
    assert worse["mean_difference"] < 0 and worse["prob_improvement"] == 0.0
    collapsed = _typed(_with_seed(_evidence(), "1", "autoencoder", silhouette=None))
    assert list(judge.comparisons_a3(collapsed)) == ["autoencoder vs pca, knn_acc"]
