"""Every Python code block in the docs (and the README) runs, so the docs
never rot. Blocks of one page run in order in one namespace, in a fresh
temporary folder. Blocks fenced as ```py (not ```python) are shown, not run.

Also checked here: the pictures the pages show are drawn by blocks of the
pages (``# picture: NAME``, see docs/figures.py); the source excerpts the
pages quote still match the library; every page is in the site's nav; the
README's links resolve; and ``mkdocs build --strict`` passes (when mkdocs
and Graphviz's ``dot`` are installed).
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```", re.S | re.M)
SHOWN = re.compile(r"^```py[ \t]*\n(.*?)^```", re.S | re.M)


def _figures():  # docs/figures.py: how pictures are found in the pages and drawn
    spec = importlib.util.spec_from_file_location("docs_figures", DOCS / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


figures = _figures()


def code_blocks(page: Path) -> list[str]:
    return [m.group(1) for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", [p for p in PAGES if code_blocks(p)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_page_code_runs(page: Path, tmp_path: Path, monkeypatch) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import graphviz

    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for i, block in enumerate(code_blocks(page)):
        code = compile(block, f"{page.name} block {i + 1}", "exec")
        namespace.pop("graph", None)
        exec(code, namespace)  # noqa: S102 - our own documentation
        names = figures.pictures_in(block)
        assert len(names) <= 1, f"{page.name} block {i + 1}: one '# picture:' per block"
        if names:
            assert isinstance(namespace.get("graph"), graphviz.Digraph), (
                f"{page.name} block {i + 1} is marked '# picture: {names[0]}' but leaves "
                f"no graphviz.Digraph in `graph`")
    assert os.getcwd() == str(tmp_path)


def test_pictures_shown_are_drawn_by_the_pages() -> None:
    drawn: dict[str, str] = {}
    for page in figures.pages():
        for block in code_blocks(page):
            for name in figures.pictures_in(block):
                assert name not in drawn, f"picture {name!r} drawn by {drawn[name]} and {page}"
                drawn[name] = page.name
    shown = {name: page.name for page in figures.pages() for name in figures.images_used(page)}
    assert set(shown) - set(drawn) == set(), "pages show pictures that no block draws"
    assert set(drawn) - set(shown) == set(), "blocks draw pictures that no page shows"


def test_quoted_source_matches_the_library() -> None:
    """A ```py block whose first line is ``# tinygrad_lite/<file>.py`` quotes
    that file: the rest of the block must appear in it word for word."""
    quoted = 0
    for page in PAGES:
        for m in SHOWN.finditer(page.read_text(encoding="utf-8")):
            first, _, rest = m.group(1).partition("\n")
            path = first.lstrip("# ").strip()
            if not path.startswith("tinygrad_lite/"):
                continue
            quoted += 1
            source = (ROOT / path).read_text(encoding="utf-8")
            assert rest in source, (f"{page.name} quotes {path}, which has changed: "
                                    f"update the quote\n{rest}")
    assert quoted > 0


def test_every_page_is_in_the_nav() -> None:
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def entries(nav: list) -> list[str]:
        out = []
        for item in nav:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            out += entries(value) if isinstance(value, list) else [value]
        return out

    in_nav = entries(config["nav"])
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(in_nav) == pages


def test_readme_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    local = [link for link in links if "://" not in link]
    assert any(link.startswith("docs/") for link in local)
    for link in local:
        if link.startswith("docs/generated/"):
            continue  # drawn by the docs build (git-ignored)
        assert (ROOT / link).exists(), f"README links to missing {link}"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "index.html").exists()
    assert (tmp_path / "generated" / "micrograd.svg").exists()
