"""Convergence benchmarks: declared targets, time-to-target through the one loop, peers, gate.

The benchmarks in ``benchmarks/`` are thin pytest-benchmark wrappers over
this package, so what a benchmark trains is exactly what a claim trains
(``ex3.training.loop.train``), and a reader can find every target and
interval in one place (``ex3.bench.targets``).
"""
