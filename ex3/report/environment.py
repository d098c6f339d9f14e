"""The environment a run was measured in, for the verdicts file and the report."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

import torch

LIBRARIES = ("torch", "torchvision", "numpy", "scipy", "scikit-learn", "matplotlib")


def environment(train_threads: int, device: str = "cpu") -> dict[str, object]:
    """Library versions, the device MNIST runs trained on (with the GPU's name), threads
    (torch's default and ``train_threads``, each training run's) and platform."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "train_threads": train_threads,
        "device": device,
        **({"gpu": torch.cuda.get_device_name(0)} if device == "cuda" else {}),
        "libraries": versions,
    }
