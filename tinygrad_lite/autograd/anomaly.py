"""detect_anomaly: find the operation whose backward made NaN or inf.

Inside the context every operation remembers where it was created, and the
engine checks each gradient it computes; the first non-finite one raises a
RuntimeError naming the operation and the line of user code that made it.
Like PyTorch's anomaly mode this is global (not per thread) and slow: use it
to debug, not to train.
"""
from __future__ import annotations

import os
import traceback
from typing import Any

_enabled = False


def is_anomaly_enabled() -> bool:
    return _enabled


class detect_anomaly:
    """Context manager (and decorator) turning anomaly detection on."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        global _enabled
        self.prev = _enabled
        _enabled = self.check_nan

    def __exit__(self, *exc: Any) -> None:
        global _enabled
        _enabled = self.prev

    def __call__(self, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


def creation_trace() -> list[str]:
    """The last few frames of user code that are creating an operation."""
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [f for f in traceback.extract_stack()
              if not os.path.abspath(f.filename).startswith(package_dir)]
    return traceback.format_list(frames[-3:])
