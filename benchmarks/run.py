"""Run every benchmark and print the table (Markdown).

    python benchmarks/run.py               # all workloads, 7 interleaved rounds
    python benchmarks/run.py --quick       # 3 rounds
    python benchmarks/run.py --write-docs  # also put the table in docs/performance.md

Each workload is built for tinygrad_lite, hand-written numpy and (when
installed) PyTorch from the same data and initial weights; their losses are
checked to agree over a few steps before anything is timed. Times are
medians over interleaved rounds; ratios are to numpy in the same run.
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from harness import format_table, machine_info, measure, try_import_torch  # noqa: E402
from workloads import WORKLOADS, mlp, scalar_chain  # noqa: E402

# Targets from the performance issue, as ratios that carry across machines.
TARGETS = {
    "MLP 784-512-256-10, batch 128, train step": ("numpy", 1.05),
    "MLP 64-32-10, batch 32, train step": ("numpy", 2.0),
    "300-op elementwise chain on 16 elements, fwd+bwd": ("numpy", 3.0 / 0.97),
    "LeNet-like conv step, batch 32 of 1x28x28": ("torch", 2.0),
    "10,000-node scalar chain, fwd+bwd": ("torch", 1.0),
    "micrograd demo MLP 2-16-16-1 on 100 moons, step": ("torch", 1.0),
}


def check_agreement(name: str, steps: dict, n: int = 3) -> None:
    losses = {impl: [fn() for _ in range(n)] for impl, fn in steps.items()}
    ref = losses["numpy"]
    for impl, got in losses.items():
        if not np.allclose(got, ref, rtol=2e-3, atol=1e-5):
            raise SystemExit(f"{name}: {impl} losses {got} differ from numpy's {ref}")


def fmt(seconds: float, unit: str, ops: int) -> str:
    if unit == "us/op":
        return f"{seconds * 1e6 / ops:.2f} us/op"
    return f"{seconds * 1e3:.3f} ms"


def time_workloads(rounds: int, torch) -> list:
    rows = []
    impls = ["numpy", "tinygrad_lite"] + (["torch"] if torch else [])
    for w in WORKLOADS:
        check_agreement(w.name, {i: w.build(i, torch) for i in impls})
        times = measure({i: w.build(i, torch) for i in impls}, rounds=rounds)
        base, limit = TARGETS[w.name]
        ratio = times["tinygrad_lite"] / times[base] if base in times else float("nan")
        rows.append([w.name, fmt(times["numpy"], w.unit, w.ops),
                     fmt(times["tinygrad_lite"], w.unit, w.ops),
                     fmt(times["torch"], w.unit, w.ops) if torch else "-",
                     f"{times['tinygrad_lite'] / times['numpy']:.2f}x",
                     f"{times['torch'] / times['numpy']:.2f}x" if torch else "-",
                     f"<= {limit:.2f}x {base}", _met(ratio, limit)])
    return rows


def scaling_row() -> list:
    """Backward cost must grow linearly: 100,000 ops vs 10,000 ops."""
    small, large = scalar_chain(10_000)("tinygrad_lite"), scalar_chain(100_000)("tinygrad_lite")
    times = measure({"10k": small, "100k": large}, rounds=3, target=0.2)
    ratio = times["100k"] / times["10k"]
    return ["backward cost, 100,000-op vs 10,000-op chain", f"{times['10k'] * 1e3:.1f} ms",
            f"{times['100k'] * 1e3:.1f} ms", "-", f"{ratio:.2f}x", "-", "<= 12x",
            "yes" if ratio <= 12 else "NO"]


def _peak_bytes(step) -> int:
    step()  # warm up (optimizer state, caches)
    gc.collect()
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _met(ratio: float, limit: float) -> str:
    """'yes', or 'NO' with the ratio, to three decimals when two would
    round it onto the limit (1.054x against 1.05x)."""
    if ratio <= limit:
        return "yes"
    return f"NO ({ratio:.2f}x)" if round(ratio, 2) > limit else f"NO ({ratio:.3f}x)"


def memory_rows() -> list:
    build = mlp([784, 512, 256, 10], 128)
    peaks = {impl: _peak_bytes(build(impl)) for impl in ("numpy", "tinygrad_lite")}
    ratio = peaks["tinygrad_lite"] / peaks["numpy"]
    rows = [["peak memory of one MLP 784-512-256-10 step (tracemalloc)",
             f"{peaks['numpy'] / 2**20:.2f} MiB", f"{peaks['tinygrad_lite'] / 2**20:.2f} MiB",
             "-", f"{ratio:.2f}x", "-", "<= 1.30x numpy", "yes" if ratio <= 1.3 else "NO"]]
    step = build("tinygrad_lite")
    for _ in range(50):
        step()
    gc.collect()
    tracemalloc.start()
    after_warmup = None
    for i in range(500):
        step()
        if i == 49:
            after_warmup = tracemalloc.get_traced_memory()[0]
    end = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    growth = (end - after_warmup) / 2**20
    rows.append(["memory growth over 500 MLP steps (after 50 warm-up)", "-",
                 f"{growth:+.3f} MiB", "-", "-", "-", "flat (< 0.1 MiB)",
                 "yes" if abs(growth) < 0.1 else "NO"])
    return rows


DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def write_docs(report: str) -> None:
    """Replace the results section of docs/performance.md with `report`."""
    page = DOCS_PAGE.read_text(encoding="utf-8")
    if START not in page or END not in page:
        raise SystemExit(f"{DOCS_PAGE}: the markers {START} and {END} are missing")
    head, rest = page.split(START, 1)
    _, tail = rest.split(END, 1)
    DOCS_PAGE.write_text(f"{head}{START}\n{report}\n{END}{tail}", encoding="utf-8")
    print(f"wrote the table into {DOCS_PAGE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    parser.add_argument("--write-docs", action="store_true",
                        help="put the table into docs/performance.md")
    args = parser.parse_args()
    torch = try_import_torch()
    started = time.time()
    rounds = 3 if args.quick else 7
    rows = time_workloads(rounds, torch)
    rows.append(scaling_row())
    rows.extend(memory_rows())
    table = format_table(rows, ["workload", "numpy", "tinygrad_lite", "PyTorch",
                                "tgl / numpy", "torch / numpy", "target", "met"])
    report = (f"Machine: {machine_info()}\n\n{table}\n\n(medians of {rounds} interleaved "
              f"rounds; {time.time() - started:.0f} s; {time.strftime('%Y-%m-%d')})")
    print(report)
    if args.write_docs:
        write_docs(report)


if __name__ == "__main__":
    main()
