"""The two speed-ups inside the models compute what the written forms compute.

* The convnet applies each max-pool before its ReLU (``ex3.models.mnist``):
  the same outputs and the same gradients as the written order, bit for bit,
  so a run trains exactly as the written order would.
* The autoencoder's binary cross-entropy (``ex3.models.losses``) has torch's
  gradient bit for bit and torch's value to float32 rounding.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from ex3.models.losses import binary_cross_entropy, log1m
from ex3.models.mnist import lenet
from ex3.training.seeding import build_seeded


def _images(seed: int, n: int = 16) -> torch.Tensor:
    """Images like MNIST's: mostly exact zeros (ties in every pool window), some ink."""
    g = torch.Generator().manual_seed(seed)
    ink = torch.rand(n, 1, 28, 28, generator=g)
    return torch.where(ink > 0.8, ink, torch.zeros(()))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), channels_last=st.booleans())
def test_pool_before_relu_is_the_written_order_bit_for_bit(seed: int, channels_last: bool):
    fast, written = build_seeded(lenet, seed), build_seeded(lambda: lenet(pool_first=False), seed)
    written.load_state_dict(fast.state_dict())  # same keys: neither moved layer has weights
    if channels_last:
        fast.to(memory_format=torch.channels_last)
        written.to(memory_format=torch.channels_last)
    x, y = _images(seed), torch.arange(16) % 10
    outs = []
    for model in (fast, written):
        out = model(x)
        F.cross_entropy(out, y).backward()
        outs.append(out)
    assert torch.equal(outs[0], outs[1])
    for (name, p), q in zip(fast.named_parameters(), written.parameters(), strict=True):
        assert torch.equal(p.grad, q.grad), name


def test_the_orders_differ_where_it_would_show():
    """The test above could fail: the two models really are in different orders."""
    kinds = [[type(m).__name__ for m in model] for model in (lenet(), lenet(pool_first=False))]
    assert kinds[0][:3] == ["Conv2d", "MaxPool2d", "ReLU"]
    assert kinds[1][:3] == ["Conv2d", "ReLU", "MaxPool2d"]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_binary_cross_entropy_is_torchs(seed: int):
    g = torch.Generator().manual_seed(seed)
    pred = torch.rand(64, 784, generator=g)
    target = torch.rand(64, 784, generator=g).round()  # pixels at 0 and 1, as MNIST's edges
    pred[0, :6] = torch.tensor([0.0, 1.0, 1e-30, 1 - 1e-7, 0.5, 1e-45])  # the clamped ends
    ours_p, torch_p = pred.clone().requires_grad_(), pred.clone().requires_grad_()
    ours, theirs = binary_cross_entropy(ours_p, target), F.binary_cross_entropy(torch_p, target)
    ours.backward()
    theirs.backward()
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-6)
    assert torch.equal(ours_p.grad, torch_p.grad)


def test_binary_cross_entropy_rejects_mismatched_shapes_and_keeps_nan():
    with pytest.raises(ValueError, match="differ"):
        binary_cross_entropy(torch.rand(2, 3), torch.rand(3, 2))
    assert torch.isnan(binary_cross_entropy(torch.tensor([float("nan"), 0.5]),
                                            torch.tensor([1.0, 0.0])))


def test_an_autoencoder_trains_exactly_as_with_torchs_loss():
    from ex3.models.autoencoder import autoencoder

    x = _images(3, 256).flatten(1)
    trained = []
    for loss_fn in (binary_cross_entropy, F.binary_cross_entropy):
        model = build_seeded(autoencoder, 0)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for i in range(0, 256, 32):
            optimizer.zero_grad()
            loss_fn(model(x[i:i + 32]), x[i:i + 32]).backward()
            optimizer.step()
        trained.append(model.state_dict())
    assert all(torch.equal(trained[0][k], trained[1][k]) for k in trained[0])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0, width=32), min_size=1, max_size=64))
def test_log1m_is_log1p_of_minus_p_to_rounding(values: list[float]):
    p = torch.tensor([*values, 0.0, 1.0, 1e-30, 1e-45, 1 - 2**-24, 2**-25], dtype=torch.float32)
    ours, theirs = log1m(p), torch.log1p(-p)
    finite = torch.isfinite(theirs)
    assert torch.equal(ours[~finite], theirs[~finite])  # p = 1: -inf, both
    # atol: torch's log1p flushes a subnormal p to 0, ours keeps it
    assert torch.allclose(ours[finite], theirs[finite], rtol=5e-7, atol=1e-38)
