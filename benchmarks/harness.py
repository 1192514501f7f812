"""Timing harness shared by the benchmarks.

Every workload is timed in the same process for every implementation
(tinygrad_lite, hand-written numpy, PyTorch when installed), interleaved
round by round so that machine noise hits all of them alike, and reported
as the median over rounds. Ratios are against hand-written numpy measured
in the same run.
"""
from __future__ import annotations

import gc
import platform
import statistics
import time
from typing import Callable

import numpy as np


def try_import_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    return torch


def _calibrate(fn: Callable[[], object], target: float) -> int:
    """How many calls make one sample last about `target` seconds."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= target or n >= 1 << 20:
            return max(1, int(n * target / max(elapsed, 1e-9)))
        n *= 2


def measure(fns: dict[str, Callable[[], object]], rounds: int = 7,
            target: float = 0.05) -> dict[str, float]:
    """Median seconds per call of each function, sampled interleaved."""
    for fn in fns.values():  # warm-up
        fn()
    counts = {name: _calibrate(fn, target) for name, fn in fns.items()}
    samples: dict[str, list] = {name: [] for name in fns}
    names = list(fns)
    gc_was_enabled = gc.isenabled()
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn, n = fns[name], counts[name]
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - start) / n)
            if gc_was_enabled:
                gc.enable()
    return {name: statistics.median(s) for name, s in samples.items()}


def machine_info() -> str:
    """CPU, Python, numpy and BLAS in use (threadpoolctl when installed)."""
    parts = [platform.processor() or platform.machine(), f"Python {platform.python_version()}",
             f"numpy {np.__version__}"]
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                parts.append(f"BLAS {pool.get('internal_api')} {pool.get('version')} "
                             f"({pool.get('num_threads')} threads, {pool.get('architecture')})")
    except ImportError:
        parts.append("BLAS unknown (pip install threadpoolctl)")
    torch = try_import_torch()
    parts.append(f"torch {torch.__version__}" if torch else "torch not installed")
    return "; ".join(parts)


def format_table(rows: list[list[str]], header: list[str]) -> str:
    """A Markdown table."""
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in rows])
