"""Build the bundled MNIST sample (ex3/data/sample/mnist_sample.npz) from the official files.

The sample lets the test suite and demonstrations run without the 55 MB
download. It is stratified (300 training and 100 test images per digit) so
that every class is equally present even at this size, and drawn with a fixed
seed so that anyone can rebuild the same arrays from the official files:

    python scripts/make_mnist_sample.py --root /path/to/torchvision/root

The official files are verified against their SHA-256 pins before sampling.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SEED = 20240917
TRAIN_PER_CLASS = 300
TEST_PER_CLASS = 100
OUT = REPO / "ex3" / "data" / "sample" / "mnist_sample.npz"


def balanced_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """``per_class`` indices of each digit, drawn without replacement, in original order."""
    picked = [
        rng.choice(np.flatnonzero(labels == digit), size=per_class, replace=False)
        for digit in range(10)
    ]
    return np.sort(np.concatenate(picked))


def build_sample(arrays: dict[str, np.ndarray], seed: int = SEED) -> dict[str, np.ndarray]:
    """Select the stratified sample from the official uint8 arrays."""
    rng = np.random.default_rng(seed)
    train = balanced_indices(arrays["train_y"], TRAIN_PER_CLASS, rng)
    test = balanced_indices(arrays["test_y"], TEST_PER_CLASS, rng)
    return {
        "train_x": arrays["train_x"][train],
        "train_y": arrays["train_y"][train],
        "test_x": arrays["test_x"][test],
        "test_y": arrays["test_y"][test],
    }


def main(argv: list[str] | None = None) -> int:
    """Read, verify, sample and write; prints the output path and size."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from ex3.config import DATA_DIR_ENV, data_dir_from_env
    from ex3.data.mnist import read_official_arrays
    from ex3.errors import Ex3Error

    fallback = str(REPO.parent / "shared" / "mnist")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root",
        default=None,
        help=f"torchvision root holding MNIST/raw (default: ${DATA_DIR_ENV} or {fallback})",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default: {OUT})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"sampling seed (default: {SEED})")
    args = parser.parse_args(argv)

    env = data_dir_from_env()
    if args.root:
        root, origin = args.root, f"--root {args.root}"
    elif env is not None:
        root, origin = env.value, env.origin
    else:
        root, origin = fallback, f"the default root {fallback}"
    try:
        arrays = read_official_arrays(root, origin=origin)
    except Ex3Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sample = build_sample(arrays, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **sample)
    size = args.out.stat().st_size
    print(
        f"wrote {args.out} ({size:,} bytes): {len(sample['train_y'])} train / "
        f"{len(sample['test_y'])} test images, seed {args.seed}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
