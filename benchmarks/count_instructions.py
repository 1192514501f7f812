"""Instructions per training step, counted by valgrind's callgrind.

Timings on a shared machine move by 2x from one run to the next; the
number of instructions a step executes does not. This counts them for one
workload, for hand-written numpy and for tinygrad_lite: each runs under
callgrind twice, with `FEW` and `MANY` steps after a warm-up, and the
difference divided by `MANY - FEW` is the cost of one step (imports and
set-up cancel out). One BLAS thread and a fixed hash seed make the counts
repeat exactly. Slow (about a minute per workload): run it to compare two
versions of the code, not in the test suite.

    python benchmarks/count_instructions.py                 # the 64-32-10 MLP
    python benchmarks/count_instructions.py --workload chain
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FEW, MANY = 20, 120
WORKLOADS = {"mlp": "MLP 64-32-10", "chain": "300-op elementwise chain", "moons": "micrograd"}


def steps(workload: str, impl: str, n: int) -> None:
    """Run `n` steps of `workload` for `impl` after a warm-up (child side)."""
    import gc
    sys.path.insert(0, str(HERE))
    from workloads import WORKLOADS as ALL
    build = next(w.build for w in ALL if w.name.startswith(WORKLOADS[workload]))
    step = build(impl, None)
    gc.disable()
    for _ in range(10 + n):
        step()


def count(workload: str, impl: str, n: int) -> int:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         __file__, "--child", workload, impl, str(n)],
        env=env, capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", out.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="mlp")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        steps(args.child[0], args.child[1], int(args.child[2]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("count_instructions: needs valgrind (apt-get install valgrind)")
    per_step = {}
    for impl in ("numpy", "tinygrad_lite"):
        per_step[impl] = (count(args.workload, impl, MANY)
                          - count(args.workload, impl, FEW)) // (MANY - FEW)
        print(f"{impl:14s} {per_step[impl]:>12,} instructions per step")
    print(f"{'ratio':14s} {per_step['tinygrad_lite'] / per_step['numpy']:>12.2f}x")


if __name__ == "__main__":
    main()
