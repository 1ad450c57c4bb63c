"""The architecture, checked: no import circle, feature packages independent, the dataset never imports upward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "server"
FEATURES = ("server.sparql", "server.web", "server.validator")
SHARED = ("server.config", "server.namespaces", "server.formats", "server.languages", "server.limits")


def module_name(path: Path) -> str:
    """Return the dotted module name of a file under server/ (a package is named by its folder)."""
    parts = path.relative_to(SERVER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in SERVER.rglob("*.py") if "node_modules" not in path.parts}


def imports_of(name: str) -> set[str]:
    """Return the server modules a module imports anywhere in its body (top level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{name}: relative import (use absolute server.* imports)"
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def package_of(module: str) -> str:
    """Return ``server.<package>`` for a module inside a subpackage, else the module itself."""
    return ".".join(module.split(".")[:2])


def test_the_modules_were_found():
    assert {"server", "server.dataset", "server.sparql.views", "server.validator.pipeline"} <= set(MODULES)


def test_no_import_circle():
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, "import circle: " + " -> ".join([*visiting, module])
        visiting.append(module)
        for target in sorted(GRAPH[module]):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in sorted(GRAPH):
        visit(module)


@pytest.mark.parametrize("feature", FEATURES)
def test_feature_packages_never_import_each_other(feature):
    for module, targets in GRAPH.items():
        if package_of(module) == feature:
            others = {t for t in targets if package_of(t) in FEATURES and package_of(t) != feature}
            assert not others, f"{module} imports {sorted(others)}"


def test_the_dataset_package_never_imports_upward():
    for module, targets in GRAPH.items():
        if package_of(module) == "server.dataset":
            upward = {t for t in targets if package_of(t) != "server.dataset" and t not in SHARED}
            assert not upward, f"{module} imports {sorted(upward)}"


def test_shared_modules_import_only_each_other():
    for module in SHARED:
        assert GRAPH[module] <= set(SHARED) | {"server.sandbox"}, f"{module} imports {sorted(GRAPH[module])}"


@pytest.mark.parametrize("feature", FEATURES)
def test_feature_packages_never_import_the_contributions_package(feature):
    # server.contributions builds on sparql, web and validator; none of them may depend on it
    for module, targets in GRAPH.items():
        if package_of(module) == feature:
            found = {t for t in targets if package_of(t) == "server.contributions"}
            assert not found, f"{module} imports {sorted(found)}"
