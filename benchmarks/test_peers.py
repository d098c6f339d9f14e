"""Peers in the same run, as printed ratios (ex3.bench.peers says what each compares)."""

from __future__ import annotations

import statistics

import pytest

from ex3.bench import peers
from ex3.bench import targets as T
from ex3.bench import time_to_target as ttt
from ex3.bench.env import bench_environment

LR_MAX_ITER = {"short": 100, "full": 400}
KERAS_EPOCH_IMAGES = {"short": 10_000, "full": 60_000}
KERAS_EPOCH_REPEATS = {"short": 1, "full": 3}


def _result(report, name, plan_factory):
    """The time-to-target result measured earlier in the session, or a fresh untimed one."""
    if name not in report.results:
        plan = plan_factory()
        plan.warm_up()
        report.results[name] = plan.run()
    return report.results[name]


def test_numpy_toy_cnn_vs_torch(benchmark, report, bench_mode):
    epochs = 10 if bench_mode == "short" else 100
    numpy_rate, torch_rate = benchmark.pedantic(peers.toy_cnn_step_rates,
                                                kwargs={"epochs": epochs}, rounds=1)
    ratio = numpy_rate.per_s / torch_rate.per_s
    benchmark.extra_info.update({
        "numpy_steps_per_s": numpy_rate.per_s, "torch_steps_per_s": torch_rate.per_s,
        "numpy_over_torch": ratio, "numpy_final_test_nmse": numpy_rate.final_test_nmse,
        "torch_final_test_nmse": torch_rate.final_test_nmse, "epochs": epochs,
        "environment": bench_environment()})
    report.add(f"peer toy CNN, {epochs} epochs on y1: numpy (hand-derived) "
               f"{numpy_rate.per_s:,.0f} steps/s vs torch ToyCNN {torch_rate.per_s:,.0f} "
               f"steps/s: numpy/torch = {ratio:.2f}; final test NMSE numpy "
               f"{numpy_rate.final_test_nmse:.4g}, torch {torch_rate.final_test_nmse:.4g}")
    assert numpy_rate.final_test_nmse == pytest.approx(torch_rate.final_test_nmse, rel=1e-3)


def test_logistic_regression_vs_linear(benchmark, report, mnist, bench_mode):
    ours = _result(report, "mnist/linear", lambda: ttt.mnist_plan("linear", mnist, bench_mode))
    target = T.MNIST_ACCURACY["linear"]
    peer = benchmark.pedantic(peers.logistic_regression_to_accuracy,
                              args=(mnist, target, LR_MAX_ITER[bench_mode]), rounds=1)
    benchmark.extra_info.update({
        "sklearn_seconds_to_target": peer.seconds_to_target,
        "sklearn_iterations_to_target": peer.iterations_to_target,
        "sklearn_final_test_acc": peer.final_metric, "sklearn_iterations": peer.iterations_total,
        "ours_seconds_to_target": ours.seconds, "ours_steps_to_target": ours.steps,
        "ours_final_test_acc": ours.final.get("test_acc"), "environment": bench_environment()})
    if peer.seconds_to_target is None or ours.seconds is None:
        sk = ("not reached" if peer.seconds_to_target is None else
              f"{peer.seconds_to_target:.2f} s ({peer.iterations_to_target} iterations)")
        mine = "not reached" if ours.seconds is None else f"{ours.seconds:.2f} s"
        report.add(f"peer LogisticRegression (lbfgs) vs linear: time to {target:.0%} test "
                   f"accuracy sklearn {sk} vs ours {mine} (no ratio: one side did not reach "
                   f"it); final accuracy sklearn {peer.final_metric:.4f} after "
                   f"{peer.iterations_total} iterations ({peer.seconds_total:.1f} s), best ours "
                   f"{ours.best:.4f}")
        return
    report.add(f"peer LogisticRegression (lbfgs) vs linear: time to {target:.0%} test accuracy "
               f"sklearn {peer.seconds_to_target:.2f} s ({peer.iterations_to_target} iterations) "
               f"vs ours {ours.seconds:.2f} s ({ours.steps} steps): sklearn/ours = "
               f"{peer.seconds_to_target / ours.seconds:.2f}; final accuracy sklearn "
               f"{peer.final_metric:.4f} after {peer.iterations_total} iterations "
               f"({peer.seconds_total:.1f} s), ours {ours.final.get('test_acc'):.4f} at target")


def test_pca_fit_vs_autoencoder(benchmark, report, mnist, bench_mode):
    reason = ttt.autoencoder_available()
    if reason is not None:
        pytest.skip(reason)
    name = f"autoencoder/{T.AUTOENCODER_MODEL}"
    ours = _result(report, name, lambda: ttt.autoencoder_plan(mnist, bench_mode))
    n_train = T.AUTOENCODER_N_TRAIN[bench_mode]
    images = mnist.train_x if n_train is None else mnist.subset(
        n_train, None, seed=T.AUTOENCODER_SEED).train_x
    seconds = benchmark.pedantic(peers.pca_fit_seconds, args=(images,), rounds=1)
    our_s = ours.seconds if ours.reached else ours.train_seconds
    what = "time to beat PCA's test MSE" if ours.reached else \
        f"training time ({ours.steps_run} steps, PCA's test MSE not reached)"
    benchmark.extra_info.update({"pca_fit_s": seconds, "autoencoder_s": our_s,
                                 "autoencoder_reached": ours.reached,
                                 "n_train": len(images), "environment": bench_environment()})
    report.add(f"peer PCA fit vs autoencoder on {len(images):,} images: PCA {seconds:.2f} s, "
               f"autoencoder {what} {our_s:.2f} s: autoencoder/PCA = {our_s / seconds:.0f}")


KERAS_BACKEND_NAMES = {"torch": "Keras 3 on torch", "tensorflow": "Keras 3 on TensorFlow"}


@pytest.fixture(params=peers.KERAS_BACKENDS)
def keras_backend(request) -> str:
    """Each Keras backend; skipped, with the reason, where it is not installed."""
    reason = peers.keras_unavailable(request.param)
    if reason is not None:
        pytest.skip(reason)
    return request.param


def _seconds(values) -> str:
    """``best`` seconds of the repeats, with their median when there are several."""
    if len(values) == 1:
        return f"{values[0]:.2f} s"
    return f"{min(values):.2f} s (median {statistics.median(values):.2f})"


@pytest.mark.parametrize("case", ["report", "lenet-epoch"])
def test_keras_convnet_vs_ours(benchmark, report, mnist, bench_mode, keras_backend, case):
    """One epoch of Keras' convnet against ours, on the same images at the same batch size.

    ``report``: batch 32, the report's (Keras' default), on KERAS_EPOCH_IMAGES;
    ``lenet-epoch``: the speed target's LeNet epoch, all 60,000 images at
    batch 128 (benchmarks/test_speed.py times ours alone).
    """
    if case == "report":
        n_train, batch_size = KERAS_EPOCH_IMAGES[bench_mode], 32
    else:
        n_train, batch_size = len(mnist.train_x), T.LENET_EPOCH_BATCH
    repeats = KERAS_EPOCH_REPEATS[bench_mode]
    times = benchmark.pedantic(peers.convnet_epoch_times,
                               kwargs={"data": mnist, "n_train": n_train,
                                       "backend": keras_backend, "batch_size": batch_size,
                                       "repeats": repeats}, rounds=1)
    benchmark.extra_info.update({
        "backend": keras_backend, "ours_epoch_s": times.ours_s, "keras_epoch_s": times.keras_s,
        "keras_epoch_cpu_s": times.keras_cpu_s, "keras_warm_up_s": times.keras_warm_up_s,
        "keras_threads": times.keras_threads, "keras_versions": times.versions,
        "n_train": n_train, "batch_size": batch_size, "keras_over_ours": times.ratio,
        "keras_over_ours_median": times.median_ratio, "ours_test_acc": times.ours_test_acc,
        "keras_test_acc": times.keras_test_acc, "environment": bench_environment()})
    cores = statistics.median(c / s for c, s in zip(times.keras_cpu_s, times.keras_s,
                                                     strict=True))
    median = f" (medians: {times.median_ratio:.2f})" if repeats > 1 else ""
    report.add(f"peer {KERAS_BACKEND_NAMES[keras_backend]} convnet, one epoch of {n_train:,} "
               f"images at batch {batch_size}, best of {repeats}: Keras "
               f"{_seconds(times.keras_s)} vs ours {_seconds(times.ours_s)}: keras/ours = "
               f"{times.ratio:.2f}{median}; test accuracy after it Keras "
               f"{times.keras_test_acc:.4f}, ours {times.ours_test_acc:.4f}; Keras threads "
               f"{times.keras_threads}, CPU/wall {cores:.2f}")


def test_keras_convnet_time_to_target(report, mnist, bench_mode, keras_backend):
    if bench_mode == "short":
        pytest.skip("Keras' time to 98% takes minutes; run with --ex3-bench-full")
    ours = _result(report, "mnist/convnet", lambda: ttt.mnist_plan("convnet", mnist, "full"))
    target = T.MNIST_ACCURACY["convnet"]
    peer = peers.keras_convnet_to_accuracy(mnist, target, T.MNIST_EPOCHS["full"], keras_backend)
    name = KERAS_BACKEND_NAMES[keras_backend]
    if peer.seconds_to_target is None or ours.seconds is None:
        report.add(f"peer {name} convnet time to {target:.0%}: Keras reached "
                   f"{peer.seconds_to_target is not None} (final {peer.final_metric:.4f} after "
                   f"{peer.iterations_total} steps), ours reached {ours.reached}")
        return
    report.add(f"peer {name} convnet time to {target:.0%} test accuracy: Keras "
               f"{peer.seconds_to_target:.1f} s ({peer.iterations_to_target} steps) vs ours "
               f"{ours.seconds:.1f} s ({ours.steps} steps): keras/ours = "
               f"{peer.seconds_to_target / ours.seconds:.2f}; test accuracy there Keras "
               f"{peer.final_metric:.4f}, ours {ours.final.get('test_acc'):.4f}")
