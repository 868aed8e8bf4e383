"""The module boundaries DESIGN.md states, checked on the source (AST, nothing is run).

* Only the detector and tracker adapters import the model libraries (ultralytics, torch);
  ``weights.py`` may read ultralytics' settings (its weights folder) and call its downloader,
  lazily (inside a function).
* ``types.py``: frozen dataclasses, no I/O, no other vidtools module.
* Nothing inside the package imports the package root (``vidtools/__init__``) except the CLI,
  which is a client of the public API; ``__version__`` lives in ``_version.py``.
* The CLI is thin: it parses, builds the config and calls the API; it never reaches into the
  stages (pipeline, detector, tracker, counting, shots, report internals).
* DataFrames only at the edges: pandas is imported by the report writer (CSV), the batch
  catalog (Parquet rows, ``open_catalog``), lazily by ``types.py`` (the table properties of a
  report) and nowhere else.
* Imports flow one way: the import graph of the package (lazy imports included) has no cycle.
* No module-level mutable state: a module-level list / dict / set is never changed by its module;
  no ``global`` statements. Only the CLI configures logging. No ``assert`` for validation.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "vidtools"

MODEL_LIBRARIES = ("ultralytics", "torch", "torchvision")
ADAPTERS = {
    "vidtools/detect.py",  # the detector adapter (ultralytics' predict)
    "vidtools/device/detector.py",  # the device-side detector adapter (ultralytics' model loader)
    "vidtools/track_ultralytics.py",  # the tracker adapter
    "vidtools/openvino_streams.py",  # OpenVINO streams with ultralytics' letterbox and NMS
    "vidtools/formats.py",  # reads export metadata with ultralytics' own reader (no model is loaded)
}
"""Modules that may import the model libraries. A new adapter (e.g. a device-side detector
module) is added here by name."""
TORCH_ONLY = {"vidtools/device/letterbox.py", "vidtools/device/nms.py"}
"""Tensor code of the device path: may import torch / torchvision, never ultralytics."""
LAZY_SETTINGS = {"vidtools/weights.py": ("ultralytics.utils", "ultralytics.utils.downloads")}
"""Modules that may read ultralytics' settings (and use its downloader), inside a function only,
from these modules only."""
PANDAS = {"vidtools/report/writer.py": "top", "vidtools/types.py": "lazy",
          "vidtools/batch/reportview.py": "top", "vidtools/batch/catalog.py": "top"}
"""Where pandas may be imported ("lazy": inside functions or under TYPE_CHECKING only)."""
CLI_MAY_NOT_IMPORT = ("vidtools.pipeline", "vidtools.detect", "vidtools.track", "vidtools.track_ultralytics",
                      "vidtools.count", "vidtools.strikes", "vidtools.shots", "vidtools.frames", "vidtools.media",
                      "vidtools.annotate", "vidtools.inflight", "vidtools.heap", "vidtools.report.html",
                      "vidtools.report.view", "vidtools.report.images", "vidtools.report.assemble",
                      "vidtools.report.schema", "vidtools.types")


def modules() -> dict[str, ast.Module]:
    return {str(p.relative_to(PACKAGE.parent)): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(PACKAGE.rglob("*.py"))}


def module_name(rel: str) -> str:
    name = rel.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def imports(tree: ast.Module) -> list[tuple[str, bool, int]]:
    """(module imported, inside a function or a TYPE_CHECKING block, line) for every import."""
    out: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = True
            if isinstance(child, ast.Import):
                out.extend((a.name, inner, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                subs = []
                if child.module.split(".")[0] == "vidtools":  # from vidtools.report import view: a submodule
                    folder = PACKAGE.parent.joinpath(*child.module.split("."))
                    subs = [f"{child.module}.{a.name}" for a in child.names
                            if (folder / f"{a.name}.py").is_file() or (folder / a.name).is_dir()]
                if len(subs) < len(child.names):  # a name from the package itself, not only submodules
                    out.append((child.module, inner, child.lineno))
                out.extend((name, inner, child.lineno) for name in subs)
            visit(child, inner)

    visit(tree, False)
    return out


def top_package(name: str) -> str:
    return name.split(".")[0]


def test_only_the_adapters_import_the_model_libraries() -> None:
    found = []
    for rel, tree in modules().items():
        for name, lazy, line in imports(tree):
            if top_package(name) not in MODEL_LIBRARIES or rel in ADAPTERS:
                continue
            if rel in TORCH_ONLY and top_package(name) in ("torch", "torchvision"):
                continue
            if rel in LAZY_SETTINGS and lazy and name in LAZY_SETTINGS[rel]:
                continue
            found.append(f"{rel}:{line} imports {name}")
    assert found == []


def test_the_adapter_list_is_real() -> None:
    mods = modules()
    for rel in ADAPTERS:
        assert any(top_package(n) == "ultralytics" for n, _, _ in imports(mods[rel])), rel


def test_types_is_pure() -> None:
    tree = modules()["vidtools/types.py"]
    allowed = {"__future__", "collections", "dataclasses", "fractions", "typing", "numpy", "pandas"}
    bad = [f"line {line}: {n}" for n, lazy, line in imports(tree)
           if top_package(n) not in allowed or (n == "pandas" and not lazy)]
    assert bad == [], "types.py imports only the standard library's data modules, numpy and (lazily) pandas"
    calls = {ast.unparse(c.func) for c in ast.walk(tree) if isinstance(c, ast.Call)}
    assert not calls & {"open", "print", "os.remove", "Path"}, "types.py does no I/O"
    import vidtools.types as t

    for name, obj in vars(t).items():
        if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and obj.__module__ == t.__name__:
            assert obj.__dataclass_params__.frozen, f"types.{name} must be frozen"


def test_nothing_but_the_cli_imports_the_package_root() -> None:
    bad = []
    for rel, tree in modules().items():
        for name, _, line in imports(tree):
            if name == "vidtools" and rel not in ("vidtools/cli.py", "vidtools/__init__.py"):
                bad.append(f"{rel}:{line}")
    assert bad == []


def test_cli_is_thin() -> None:
    tree = modules()["vidtools/cli.py"]
    names = [(n, line) for n, _, line in imports(tree)]
    reach = [f"line {line}: {n}" for n, line in names if n.startswith(CLI_MAY_NOT_IMPORT)]
    assert reach == [], "the CLI calls the public API, not the stages"
    heavy = [n for n, lazy, _ in imports(tree) if not lazy and top_package(n) in ("numpy", "pandas", "cv2", "av")]
    assert heavy == []


def test_pandas_only_at_the_edges() -> None:
    bad = []
    for rel, tree in modules().items():
        for name, lazy, line in imports(tree):
            if top_package(name) != "pandas":
                continue
            where = PANDAS.get(rel)
            if where is None or (where == "lazy" and not lazy):
                bad.append(f"{rel}:{line}")
    assert bad == []


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = {module_name(rel) for rel in mods}
    out: dict[str, set[str]] = {}
    for rel, tree in mods.items():
        me = module_name(rel)
        if me == "vidtools":  # the facade re-exports everything; it is the top of the graph
            continue
        deps = set()
        for name, _, _ in imports(tree):
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != me and name != "vidtools":
                deps.add(name)
        out[me] = deps
    return out


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def dfs(n: str, path: list[str]) -> None:
        state[n] = 1
        for m in sorted(g.get(n, ())):
            if state.get(m) == 1:
                found.append(path[path.index(m):] + [m] if m in path else [n, m])
            elif m not in state:
                dfs(m, [*path, m])
        state[n] = 2

    for n in sorted(g):
        if n not in state:
            dfs(n, [n])
    return found


def test_imports_flow_one_way() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles(graph()) == []


MUTATORS = {"append", "extend", "insert", "update", "setdefault", "add", "pop", "popitem", "clear", "remove",
            "discard", "__setitem__"}


def test_no_module_level_mutable_state() -> None:
    bad = []
    for rel, tree in modules().items():
        mutable = set()
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
                    node.value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                mutable |= {t.id for t in targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                bad.append(f"{rel}:{node.lineno}: global {', '.join(node.names)}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id in mutable and node.func.attr in MUTATORS:
                bad.append(f"{rel}:{node.lineno}: {node.func.value.id}.{node.func.attr}()")
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in mutable:
                        bad.append(f"{rel}:{node.lineno}: {t.value.id}[...] changed")
    assert bad == []


def test_logging_configured_only_by_the_cli_and_no_asserts() -> None:
    bad = []
    for rel, tree in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                bad.append(f"{rel}:{node.lineno}: assert")
            if isinstance(node, ast.Call) and rel != "vidtools/cli.py" and \
                    ast.unparse(node.func).endswith(("basicConfig", "addHandler")):
                bad.append(f"{rel}:{node.lineno}: configures logging")
    assert bad == []


@pytest.mark.parametrize("source,expected", [
    ("import ultralytics\n", [("ultralytics", False, 1)]),
    ("def f():\n    from ultralytics.utils import SETTINGS\n", [("ultralytics.utils", True, 2)]),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pandas as pd\n",
     [("typing", False, 1), ("pandas", True, 3)]),
])
def test_import_finder(source: str, expected: list) -> None:
    assert imports(ast.parse(source)) == expected
