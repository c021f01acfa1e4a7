"""The layout is checked, not hoped for: layer contracts, no import cycles, lint and format."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_layer_contracts_hold():
    """screens -> services -> forms -> db/domain -> core; domain and core stay plain Python (pyproject)."""
    exe = shutil.which("lint-imports")
    assert exe, "import-linter is part of the dev extra"
    out = _run(exe)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def _cycles(graph, modules: set[str]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & modules))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles():
    """No module imports itself through others, lazy imports inside functions included."""
    grimp = pytest.importorskip("grimp")
    sys.path.insert(0, str(ROOT))
    try:
        graph = grimp.build_graph("soptui", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))
    modules = {m for m in graph.modules if m.startswith("soptui")}
    # a package's __init__ re-exporting its submodules is not a cycle of logic: look at leaf modules
    packages = {m for m in modules if any(o.startswith(m + ".") for o in modules)}
    assert _cycles(graph, modules - packages) == []


def test_cycle_finder_finds_a_cycle():
    """The check above can fail: a two-module loop is reported."""

    class Graph:
        edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}}

        def find_modules_directly_imported_by(self, m):
            return set(self.edges.get(m, ()))

    assert _cycles(Graph(), {"a", "b", "c"}) == [["a", "b"]]


@pytest.mark.parametrize("args", [("check",), ("format", "--check")], ids=["lint", "format"])
def test_ruff(args):
    exe = shutil.which("ruff")
    assert exe, "ruff is part of the dev extra"
    out = _run(exe, *args, "soptui", "tests", "bench")
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
