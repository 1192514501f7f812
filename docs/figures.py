"""Draw the pictures of the documentation from the pages' own code.

    python docs/figures.py          # writes docs/generated/*.svg

`mkdocs build` runs this first (see docs/hooks.py), so pictures are made by
the build and never committed (docs/generated/ is git-ignored).

A picture is drawn by the very code the reader sees: a ```python block of a
page that contains a line ``# picture: NAME`` must leave a
``graphviz.Digraph`` in the variable ``graph``, and it is rendered to
``docs/generated/NAME.svg``; the page shows it with
``![...](generated/NAME.svg)``. As in tests/test_docs.py, the blocks of a
page run in order in one namespace, in a fresh temporary folder; here they
run only up to the page's last picture block.

Rendering needs Graphviz's ``dot`` program.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

DOCS = Path(__file__).resolve().parent
OUT = DOCS / "generated"
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```", re.S | re.M)
PICTURE = re.compile(r"^#\s*picture:\s*([\w-]+)\s*$", re.M)
IMAGE = re.compile(r"\(generated/([\w-]+)\.svg\)")


class FigureError(RuntimeError):
    """A picture could not be drawn (the message says which and why)."""


def code_blocks(page: Path) -> list[str]:
    """The ```python blocks of a page (```py blocks are shown, not run)."""
    return [m.group(1) for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


def pictures_in(block: str) -> list[str]:
    """The picture names a block draws (``# picture: NAME`` lines)."""
    return PICTURE.findall(block)


def images_used(page: Path) -> list[str]:
    """The generated pictures a page shows."""
    return IMAGE.findall(page.read_text(encoding="utf-8"))


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def require_dot() -> None:
    if shutil.which("dot") is None:
        raise FigureError(
            "The documentation's pictures are rendered by Graphviz's `dot` program, which "
            "is not installed (or not on PATH). Install it (Debian/Ubuntu: sudo apt-get "
            "install graphviz; macOS: brew install graphviz; conda: conda install "
            "graphviz), then build again.")


def draw_page(page: Path, fmt: str = "svg") -> dict[str, bytes]:
    """Run a page's blocks up to its last picture block; return
    ``{name: rendered bytes}`` for every picture it draws."""
    blocks = code_blocks(page)
    last = max((i for i, b in enumerate(blocks) if pictures_in(b)), default=-1)
    if last < 0:
        return {}
    try:  # not needed to build the site (the docs extra does not install it) ...
        import matplotlib
    except ImportError:
        pass
    else:  # ... but a page that plots must not open a window
        matplotlib.use("Agg")
    svgs: dict[str, bytes] = {}
    namespace: dict = {"__name__": "__docs__"}
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            for i, block in enumerate(blocks[:last + 1]):
                where = f"{page.relative_to(DOCS)} block {i + 1}"
                namespace.pop("graph", None)
                try:
                    with contextlib.redirect_stdout(io.StringIO()):  # the pages print
                        exec(compile(block, where, "exec"), namespace)  # noqa: S102 - our docs
                except Exception as e:
                    line = next((f.lineno for f in reversed(traceback.extract_tb(e.__traceback__))
                                 if f.filename == where), "?")
                    raise FigureError(f"{where}, line {line}, failed while drawing the docs "
                                      f"pictures: {type(e).__name__}: {e}") from e
                names = pictures_in(block)
                if len(names) > 1:
                    raise FigureError(f"{where} is marked with {len(names)} pictures; put each "
                                      f"'# picture: NAME' in a block of its own")
                for name in names:
                    graph = namespace.get("graph")
                    if not hasattr(graph, "pipe"):
                        raise FigureError(f"{where} is marked '# picture: {name}' but leaves "
                                          f"no graphviz.Digraph in the variable `graph`")
                    svgs[name] = graph.pipe(format=fmt)
        finally:
            os.chdir(here)
    return svgs


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write only when the bytes differ (so `mkdocs serve` does not see a
    change, rebuild, and draw again forever)."""
    if path.exists() and path.read_bytes() == content:
        return False
    path.write_bytes(content)
    return True


def draw_all(out: Path = OUT) -> list[str]:
    """Draw every picture of every page into `out`; return the names."""
    require_dot()
    out.mkdir(parents=True, exist_ok=True)
    drawn: dict[str, str] = {}
    for page in pages():
        for name, svg in draw_page(page).items():
            if name in drawn:
                raise FigureError(f"picture {name!r} is drawn twice: by {drawn[name]} and by "
                                  f"{page.relative_to(DOCS)}")
            drawn[name] = str(page.relative_to(DOCS))
            write_if_changed(out / f"{name}.svg", svg)
    for page in pages():
        missing = [n for n in images_used(page) if n not in drawn]
        if missing:
            raise FigureError(f"{page.relative_to(DOCS)} shows generated/{missing[0]}.svg, but "
                              f"no block of any page is marked '# picture: {missing[0]}'")
    for stale in out.glob("*.svg"):
        if stale.stem not in drawn:
            stale.unlink()
    return sorted(drawn)


if __name__ == "__main__":
    try:
        names = draw_all()
    except FigureError as e:
        sys.exit(f"error: {e}")
    print(f"drew {len(names)} pictures into {OUT}: {', '.join(names)}")
