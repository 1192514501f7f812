"""MkDocs hooks (mkdocs.yml: ``hooks: [docs/hooks.py]``).

Before every build, draw the pictures of the graph that the pages show: the
pages' own code builds them with ``tgl.viz.draw_graph`` and Graphviz's
``dot`` renders them into docs/generated/ (git-ignored; see docs/figures.py).
Without ``dot`` the build stops with a message saying how to install it.
"""
from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.figures")
_FIGURES = Path(__file__).resolve().parent / "figures.py"


def _figures_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("tinygrad_lite_docs_figures", _FIGURES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_pre_build(config, **kwargs) -> None:  # type: ignore[no-untyped-def]
    figures = _figures_module()
    try:
        names = figures.draw_all()
    except figures.FigureError as e:
        raise PluginError(str(e)) from None
    log.info("drew %d graph pictures into docs/generated/", len(names))
