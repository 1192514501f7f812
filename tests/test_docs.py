"""Every Python code block in the docs (and the README) runs, so the docs
never rot. Blocks of one page run in order in one namespace, in a fresh
temporary folder. Blocks fenced as ```py (not ```python) are shown, not run.

Pages that compare with PyTorch run a second time with ``import torch``
made to fail, since PyTorch is optional.

Also checked here: the pictures the pages show are drawn by blocks of the
pages (``# picture: NAME``, see docs/figures.py); the source excerpts the
pages quote still match the library; every page is in the site's nav; the
README's links resolve; ``mkdocs build --strict`` passes and the API
reference it generates documents every public name (when mkdocs and
Graphviz's ``dot`` are installed).
"""
from __future__ import annotations

import importlib
import importlib.util
import linecache
import os
import re
import shutil
import subprocess
import sys
import types
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


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _run_page(page: Path, tmp_path: Path, monkeypatch) -> dict:
    """Run the page's blocks in order in one namespace, in `tmp_path`;
    return the namespace."""
    if importlib.util.find_spec("matplotlib") is not None:
        import matplotlib
        matplotlib.use("Agg")  # a page that plots must not open a window
    import graphviz

    blocks = code_blocks(page)
    if shutil.which("dot") is None and any(".render(" in b or ".pipe(" in b for b in blocks):
        pytest.skip(f"{_page_id(page)} renders pictures, which needs Graphviz's dot program")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for i, block in enumerate(blocks):
        where = f"{_page_id(page)} block {i + 1}"
        # let tracebacks show the failing line of the page
        linecache.cache[where] = (len(block), None, block.splitlines(True), where)
        namespace.pop("graph", None)
        exec(compile(block, where, "exec"), namespace)  # noqa: S102 - our own documentation
        names = figures.pictures_in(block)
        assert len(names) <= 1, f"{where}: one '# picture:' per block"
        if names:
            assert isinstance(namespace.get("graph"), graphviz.Digraph), (
                f"{where} is marked '# picture: {names[0]}' but leaves "
                f"no graphviz.Digraph in `graph`")
    assert os.getcwd() == str(tmp_path)
    return namespace


@pytest.mark.parametrize("page", [p for p in PAGES if code_blocks(p)], ids=_page_id)
def test_page_code_runs(page: Path, tmp_path: Path, monkeypatch) -> None:
    _run_page(page, tmp_path, monkeypatch)


def _uses_torch(page: Path) -> bool:
    return any(re.search(r"^\s*import torch\b", b, re.M) for b in code_blocks(page))


@pytest.mark.parametrize("page", [p for p in PAGES if _uses_torch(p)], ids=_page_id)
def test_page_code_runs_without_torch(page: Path, tmp_path: Path, monkeypatch) -> None:
    """PyTorch is optional: a page that compares with it guards those blocks
    (``try: import torch`` / ``if torch is not None``) and runs without it."""
    monkeypatch.setitem(sys.modules, "torch", None)  # now `import torch` raises ImportError
    namespace = _run_page(page, tmp_path, monkeypatch)
    assert namespace.get("torch") is None, f"{_page_id(page)} did not notice torch is missing"


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


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built once by ``mkdocs build --strict``."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_mkdocs_build_strict(site: Path) -> None:
    assert (site / "index.html").exists()
    assert (site / "generated" / "micrograd.svg").exists()


# The public API: the __all__ of each of these modules.
PUBLIC_MODULES = [
    "tinygrad_lite", "tinygrad_lite.autograd", "tinygrad_lite.nn", "tinygrad_lite.nn.functional",
    "tinygrad_lite.nn.init", "tinygrad_lite.nn.utils", "tinygrad_lite.optim",
    "tinygrad_lite.optim.lr_scheduler", "tinygrad_lite.data", "tinygrad_lite.datasets",
    "tinygrad_lite.viz", "tinygrad_lite.testing",
]
NOT_DOCUMENTED = {
    "tinygrad_lite.optim.required",  # the marker of a required argument (PyTorch's too)
}


def _resolve(path: str) -> object:
    """The object a reference anchor (``tinygrad_lite.creation.zeros``) names."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            # a class's own attribute (a property, a staticmethod), not its value
            owned = isinstance(obj, type) and part in vars(obj)
            obj = vars(obj)[part] if owned else getattr(obj, part, None)
        return obj
    return None


def test_reference_documents_every_public_name(site: Path) -> None:
    """Every name of the public API has an entry in the generated API
    reference (under its own name or as what it is: ``tgl.exp`` wraps
    ``Tensor.exp``, ``tgl.float`` is ``tgl.float32``)."""
    documented: set = set()
    for html in (site / "reference").rglob("*.html"):
        for anchor in re.findall(r'id="(tinygrad_lite[\w.]*)"', html.read_text(encoding="utf-8")):
            obj = _resolve(anchor)
            for same in (obj, getattr(obj, "__func__", None), getattr(obj, "fget", None)):
                if same is not None:
                    documented.add(id(same))
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType) or f"{module_name}.{name}" in NOT_DOCUMENTED:
                continue
            wrapped = getattr(obj, "__wrapped__", None)  # tgl.exp wraps Tensor.exp
            if id(obj) not in documented and id(wrapped) not in documented:
                missing.append(f"{module_name}.{name}")
    assert not missing, ("public names missing from the API reference (add a '::: ...' "
                         f"entry to a page of docs/reference/): {missing}")
