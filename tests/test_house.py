"""The shape of the package: no import cycles, no public name hiding a module, modules of a
readable size, and one model-settings value that the shared-pipeline cache is keyed by."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import briefing
from briefing import ModelChoice, get_pipeline

SRC = Path(briefing.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _module_level_imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """briefing modules imported at import time (not under TYPE_CHECKING, not in functions)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    deps = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        base = package[: len(package) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
        if node.module and target in modules:
            deps.add(target)
        deps |= {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules}
    return deps - {name}


def test_no_import_cycle() -> None:
    modules = _modules()
    graph = {name: _module_level_imports(name, path, modules) for name, path in modules.items()}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in graph[name]:
            assert state.get(dep) != 1, " → ".join([*trail, name, dep])
            if dep not in state:
                visit(dep, [*trail, name])
        state[name] = 2

    for name in graph:
        if name not in state:
            visit(name, [])


def test_no_public_name_hides_a_module() -> None:
    for info in pkgutil.walk_packages(briefing.__path__, "briefing."):
        parent_name, _, child = info.name.rpartition(".")
        parent = importlib.import_module(parent_name)
        module = importlib.import_module(info.name)
        value = getattr(parent, child, module)
        assert value is module, f"{parent_name}.{child} is {value!r}, not the module"
    assert briefing.summarize.__module__ == "briefing.pipeline"  # the function stays public


def test_modules_stay_readable() -> None:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in _modules().items()
    }
    assert max(sizes.values()) <= 600, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


def test_get_pipeline_is_keyed_by_every_setting(tiny_models) -> None:  # type: ignore[no-untyped-def]
    marian = str(tiny_models.marian)
    first = get_pipeline(ModelChoice("lead", marian, device="cpu", backend="transformers"))
    assert get_pipeline("lead", marian, "cpu", backend="transformers") is first
    other = get_pipeline(ModelChoice("lead", marian, device="cpu", backend="auto"))
    assert other is not first  # the backend is part of the key, not only the names
    assert first.choice == ModelChoice("lead", marian, "cpu", "transformers").resolved()
