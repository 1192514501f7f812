"""Python bytecodes per function for one step of a workload.

Where the time of an overhead-bound workload goes is where its Python
runs; this counts it exactly (the count repeats, unlike a timing). Every
bytecode executed is counted per function with ``sys.settrace`` opcode
events (slow, so a few steps only), after a warm-up, and divided by the
number of steps and, for the elementwise chain, by its 300 operations
(the workload's `ops`).

    python benchmarks/count_bytecodes.py                 # the 64-32-10 MLP step
    python benchmarks/count_bytecodes.py --workload chain
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from count_instructions import WORKLOADS as CHOICES  # noqa: E402  (short name -> prefix)
from workloads import WORKLOADS  # noqa: E402


def count(step, steps: int) -> collections.Counter:
    """Bytecodes executed by `steps` calls of `step`, per (file, function)."""
    counts: collections.Counter = collections.Counter()

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            counts[(Path(code.co_filename).name, code.co_name)] += 1
        return tracer

    sys.settrace(tracer)
    try:
        for _ in range(steps):
            step()
    finally:
        sys.settrace(None)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=sorted(CHOICES), default="mlp")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    workload = next(w for w in WORKLOADS if w.name.startswith(CHOICES[args.workload]))
    per = workload.ops  # the chain's figures are per operation
    step = workload.build("tinygrad_lite", None)
    for _ in range(3):
        step()
    counts = count(step, args.steps)
    scale = args.steps * per
    unit = "per operation" if per > 1 else "per step"
    print(f"{sum(counts.values()) / scale:,.0f} bytecodes {unit}; the largest shares:")
    for (file, function), n in counts.most_common(args.top):
        print(f"{n / scale:10,.1f}  {file}:{function}")


if __name__ == "__main__":
    main()
