"""The package's shape: no import circles, only sub-packages at the top, each package's map of its modules.

The layers themselves (each package imports only those below it) are import-linter's
contract in pyproject.toml, run by CI; these tests hold what a contract cannot say.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

from designdoc.rules import ALL_RULES, REQUIREMENTS, registry

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "designdoc"


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(imports[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    graph = grimp.build_graph("designdoc", cache_dir=None)  # imports inside functions count too
    imports = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(imports) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_top_package_holds_only_its_entry_points_and_sub_packages() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert modules == ["__init__.py", "__main__.py"]
    assert all((PACKAGE / name / "__init__.py").is_file() for name in folders)


@pytest.mark.parametrize("package", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_each_package_docstring_maps_its_modules(package: str) -> None:
    folder = PACKAGE / package
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text("utf-8"))) or ""
    modules = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if f"{m}.py" not in docstring]
    assert missing == [], f"designdoc/{package}/__init__.py does not name {missing}"


def test_the_registry_and_the_rule_table_agree() -> None:
    assert sorted(registry._REGISTRY) == sorted(r.slug for r in ALL_RULES)
    assert len({r.slug for r in ALL_RULES}) == len(ALL_RULES)
    assert all(registry._REGISTRY[r.slug] is r for r in ALL_RULES)


def test_every_rule_declares_its_phase_and_needs_in_its_decorator() -> None:
    phases = {r.slug: r.phase for r in ALL_RULES}
    assert {s for s, p in phases.items() if p == "reading"} == {"encoding-invalid", "file-skipped"}
    assert {s for s, p in phases.items() if p == "project"} == {
        "link-broken",
        "reference-broken",
        "supersede-asymmetric",
        "superseded-status-mismatch",
        "supersede-cycle",
        "last-updated-behind-commit",
        "status-transition-illegal",
        "sidecar-shared",
    }
    git = {r.slug for r in ALL_RULES if "git" in r.needs}
    assert git == {"last-updated-behind-commit", "status-transition-illegal"}
    assert all(r.phase == "project" for r in ALL_RULES if "git" in r.needs)


def test_each_section_requirement_is_checked_by_one_rule() -> None:
    assert len(REQUIREMENTS) == len(set(REQUIREMENTS))
    assert set(REQUIREMENTS) == {
        "list",
        "diagram",
        "non-goals",
        "alternatives",
        "acceptance-criteria",
        "resolved-questions",
        "table",
        "code",
    }


def test_a_rule_with_an_unknown_phase_or_need_is_refused() -> None:
    with pytest.raises(ValueError, match="phase"):
        registry.rule("x-phase", severity="completeness", phase="later")
    with pytest.raises(ValueError, match="needs"):
        registry.rule("x-needs", severity="completeness", needs=("network",))
