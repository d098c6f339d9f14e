#!/usr/bin/env bash
# The GPU check: the quick profile and the speed benchmarks on a CUDA GPU, verdicts compared
# with the CPU pins. Run it on any machine with a CUDA GPU and the official MNIST:
#
#   EX3_DATA_DIR=/path/to/mnist scripts/gpu_check.sh [OUT_DIR]
#
# Exit codes: 0 every verdict equals its pin and the benchmarks pass; 1 a verdict differs
# from its pin (the run's verdicts.json says which and why); 2 bad usage; 3 no CUDA GPU
# here (nothing was checked); anything else: the benchmarks failed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "gpu_check: torch sees no CUDA GPU here; run it on a machine with one" >&2
    exit 3
fi
if [ -z "${EX3_DATA_DIR:-}" ]; then
    echo "gpu_check: set EX3_DATA_DIR to the official MNIST (the pins are about the full data)" >&2
    exit 2
fi

out="${1:-gpu-check-out}"
export EX3_DEVICE=cuda
export EX3_CACHE_DIR="${EX3_CACHE_DIR:-$(mktemp -d)}"   # GPU runs are cached apart anyway
python -c "import torch; print('device:', torch.cuda.get_device_name(0), '| torch', torch.__version__)"

# Verdicts: `ex3 verify` exits 1 when any verdict differs from its (CPU) pin.
verdicts=0
python -m ex3.cli verify --device cuda --out "$out" || verdicts=$?

# Speed: the same benchmarks as on the CPU, printing their ratios for this device.
python -m pytest benchmarks/test_speed.py -q -s -p no:randomly

exit "$verdicts"
