"""The op table: every differentiable operation with the inputs it accepts
and the checks that apply. Each family has its own module; `ENTRIES` joins
them."""
from __future__ import annotations

import importlib
import pkgutil

from .spec import Const, OpEntry, Sample

ENTRIES: list[OpEntry] = []
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("table_"):
        ENTRIES.extend(importlib.import_module(f"{__name__}.{_info.name}").ENTRIES)

_names = [e.name for e in ENTRIES]
assert len(_names) == len(set(_names)), "duplicate op-table entry names"

__all__ = ["ENTRIES", "Const", "OpEntry", "Sample"]
