"""The examples run end to end, learn, and write the files they promise.

Each example runs as a user would run it (``python examples/....py``) in a
subprocess, with its output folder in pytest's tmp_path. Both run with
their default training settings (about 7 s for the digits MLP, 2 s for the
moons), so the accuracy thresholds are the ones the README's examples
claim. ``TQDM_MININTERVAL=0`` makes tqdm draw on every update, so the
progress-bar frames written to stderr are deterministic enough to check.
"""
from __future__ import annotations

import json
import math
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the examples draw with matplotlib")
pytest.importorskip("tqdm", reason="the examples show tqdm progress bars")

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_example(script: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg", TQDM_MININTERVAL="0",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    result = subprocess.run([sys.executable, str(ROOT / "examples" / script), *args],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (
        f"{script} exited with {result.returncode}\n--- stdout\n{result.stdout}"
        f"\n--- stderr\n{result.stderr[-3000:]}")
    return result


def percentage(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"no line matching {pattern!r} in the output:\n{text}"
    return float(match.group(1)) / 100


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    # the first chunk is IHDR: width and height, both non-zero
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 100 and height > 100, (width, height)


def bar_frames(stderr: str) -> list[str]:
    """The progress-bar frames tqdm drew (it separates them with carriage returns)."""
    return [frame for frame in re.split(r"[\r\n]", stderr) if "|" in frame]


def assert_bar_advances(stderr: str, total: int, postfix: str) -> None:
    """The counter moves batch by batch and the postfix rides along with it:
    no frame shows a postfix next to a count of 0 (the bug where
    set_postfix() redrew a stale "0/45" for the whole epoch), and the bar
    reaches total/total."""
    counts = [(int(m.group(1)), postfix + "=" in frame) for frame in bar_frames(stderr)
              if (m := re.search(rf"\| *(\d+)/{total} \[", frame))]
    assert counts, f"no progress bar with total {total} on stderr:\n{stderr[-2000:]}"
    stale = [n for n, has_postfix in counts if has_postfix and n == 0]
    assert not stale, f"{len(stale)} frame(s) show {postfix}= with a count of 0/{total}"
    assert (total, True) in counts, f"the bar never showed {total}/{total} with {postfix}="
    assert len({n for n, _ in counts}) > 2, "the bar does not advance step by step"


def test_train_digits_mlp(tmp_path):
    result = run_example("train_digits.py", "--out", str(tmp_path))
    out = result.stdout

    # one summary line per epoch survives the progress bar, and training learns
    epochs = re.findall(r"^epoch +(\d+) +loss ([\d.]+) +train acc ([\d.]+) +test acc ([\d.]+)$",
                        out, flags=re.M)
    assert [int(e[0]) for e in epochs] == list(range(1, 21)), out
    losses = [float(e[1]) for e in epochs]
    assert losses[-1] < losses[0] / 10, losses
    test_acc = percentage(r"test accuracy: ([\d.]+)% after 20 epochs", out)
    assert test_acc >= 0.95, out
    assert abs(test_acc - float(epochs[-1][3])) < 1e-3
    assert_bar_advances(result.stderr, total=45, postfix="loss")

    assert_png(tmp_path / "curves.png")

    weights = tmp_path / "model.safetensors"
    raw = weights.read_bytes()
    (header_size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + header_size])
    shapes = {key: info["shape"] for key, info in header.items() if key != "__metadata__"}
    assert shapes == {"0.weight": [128, 64], "0.bias": [128], "2.weight": [64, 128],
                      "2.bias": [64], "4.weight": [10, 64], "4.bias": [10]}
    assert {info["dtype"] for key, info in header.items() if key != "__metadata__"} == {"F32"}
    assert len(raw) == 8 + header_size + 4 * sum(math.prod(s) for s in shapes.values())

    dot = (tmp_path / "graph.gv").read_text()
    assert dot.lstrip().startswith("digraph") and dot.rstrip().endswith("}")
    assert "->" in dot
    if "graph.svg" in out:  # rendered only when Graphviz's dot is installed
        assert "<svg" in (tmp_path / "graph.svg").read_text()
    written = re.search(r"^wrote (.+)$", out, flags=re.M).group(1).split(", ")
    assert all(Path(p).exists() and Path(p).stat().st_size > 0 for p in written), written


def test_moons(tmp_path):
    result = run_example("moons.py", "--out", str(tmp_path))
    out = result.stdout

    steps = re.findall(r"^step +(\d+) +loss ([\d.]+) +accuracy (\d+)%$", out, flags=re.M)
    assert [int(s[0]) for s in steps] == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99], out
    assert float(steps[-1][1]) < float(steps[0][1]) / 10, steps
    accuracy = percentage(r"training accuracy: ([\d.]+)% after 100 steps", out)
    assert accuracy >= 0.98, out
    assert_bar_advances(result.stderr, total=100, postfix="loss")

    png = tmp_path / "decision_boundary.png"
    assert re.search(r"^wrote (.+)$", out, flags=re.M).group(1) == str(png)
    assert_png(png)
