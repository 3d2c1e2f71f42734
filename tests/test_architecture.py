"""The package's import order (``waystation.LAYERS``): no module imports against it, no loops.

Every import counts, at module level or inside a function, and so does every post-build
step named as ``"waystation.package.module:function"`` in a string: a step is an import
made later.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import waystation

PACKAGE = Path(waystation.__file__).resolve().parent
STEP_NAME = re.compile(r"^(waystation(?:\.\w+)+):\w+$")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path, modules: set[str]) -> set[str]:
    """The package's modules that ``path`` imports (``from a import b`` counts as ``a.b``
    when ``b`` is a module)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            step = STEP_NAME.match(node.value)
            targets = [step.group(1)] if step else []
        found.update(t for t in targets if t.split(".")[0] == root.name and t != name)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    files = sorted(root.rglob("*.py"))
    modules = {module_name(path, root) for path in files}
    return {module_name(path, root): imports_of(path, root, modules) for path in files}


def unit(module: str) -> str:
    """A module's entry in the layers: its subpackage, or itself at the top."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def order_problems(graph: dict[str, set[str]], layers) -> list[str]:
    """Every import against ``layers`` and every module in no layer, one line each."""
    layer_of = {name: number for number, layer in enumerate(layers) for name in layer}
    problems = []
    for module in sorted(graph):
        here = unit(module)
        if here and here not in layer_of:
            problems.append(f"{module}: {here!r} is in no layer of waystation.LAYERS")
            continue
        for target in sorted(graph[module]):
            there = unit(target)
            if not here or not there or there == here:
                continue  # the package itself (waystation/__init__.py), or its own package
            if there not in layer_of:
                problems.append(f"{module}: {there!r} is in no layer of waystation.LAYERS")
            elif layer_of[there] >= layer_of[here]:
                problems.append(
                    f"{module} imports {target}: {there!r} is not below {here!r} in "
                    "waystation.LAYERS"
                )
    return problems


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import loops (strongly connected groups of more than one module, or a module
    importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_against_the_declared_layers():
    assert order_problems(import_graph(PACKAGE), waystation.LAYERS) == []


def test_there_is_no_import_loop():
    assert loops(import_graph(PACKAGE)) == []


def test_every_subpackage_says_what_it_owns_and_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc and len(doc) > 120, f"{init}: say what it owns and may import"


def test_the_pelican_plugin_is_only_glue():
    """Only receivers and ``register()``: every other function lives in the package."""
    tree = ast.parse((PACKAGE / "pelican_plugin.py").read_text(encoding="utf-8"))
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    for function in functions:
        statements = [s for s in function.body if not isinstance(s, ast.Expr | ast.Import)]
        assert len(statements) <= 5, f"{function.name}() holds logic: move it into the package"


# ---- the checks themselves catch what they are for ----------------------------------


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "waystation"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


LAYERS = (("records",), ("site",), ("search", "maps"), ("build",))


def test_an_import_down_the_layers_passes_and_one_up_fails(tmp_path):
    package = write_package(
        tmp_path,
        {
            "__init__.py": "",
            "records/__init__.py": "",
            "records/model.py": "",
            "site/__init__.py": "",
            "site/pages.py": "from waystation.records import model\n"
            "def late():\n    from waystation.search import page\n",
            "search/__init__.py": "",
            "search/page.py": "from waystation.site.pages import late\n",
            "maps/__init__.py": "",
            "maps/steps.py": "from ..search import page\n",
            "build/__init__.py": "",
            "build/steps.py": 'STEPS = ("waystation.maps.steps:write",)\n',
            "extra/__init__.py": "",
        },
    )
    problems = order_problems(import_graph(package), LAYERS)
    assert problems == [
        "waystation.extra: 'extra' is in no layer of waystation.LAYERS",
        "waystation.maps.steps imports waystation.search.page: 'search' is not below 'maps' "
        "in waystation.LAYERS",
        "waystation.site.pages imports waystation.search.page: 'search' is not below 'site' "
        "in waystation.LAYERS",
    ]


def test_an_import_loop_is_found(tmp_path):
    package = write_package(
        tmp_path,
        {
            "__init__.py": "",
            "site/__init__.py": "",
            "site/a.py": "from waystation.site import b\n",
            "site/b.py": "def f():\n    from waystation.site import c\n",
            "site/c.py": "import waystation.site.a\n",
            "site/d.py": "from waystation.site import a\n",
        },
    )
    assert loops(import_graph(package)) == [
        ["waystation.site.a", "waystation.site.b", "waystation.site.c"]
    ]


@pytest.mark.parametrize("name", ["exc", "settings", "directory", "publish", "cli"])
def test_the_top_level_modules_are_in_the_layers(name):
    assert (PACKAGE / f"{name}.py").is_file()
    assert any(name in layer for layer in waystation.LAYERS)
