"""What may import what: ``index/`` never reaches Discord or ``bot/``, and every third-party import is declared.

Both read the source (the AST of every module, imports inside functions included), so an
import that only runs on some path is caught as surely as one at the top of a file.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import ROOT

#: Packages of the project itself (never a distribution to declare).
OWN = {"index", "bot", "tests", "bench"}
#: Bindings from Debian packages that .ci/run installs (not on PyPI, so not declared): Xapian's
#: python3-xapian, Debian's, loaded by index/xapian_binding.py.
SYSTEM = {"xapian"}


def modules(folder: str) -> list[Path]:
    found = sorted((ROOT / folder).rglob("*.py"))
    assert found, folder
    return found


def _optional(node: ast.Try) -> bool:
    """A ``try`` that falls back when an import is missing: what it and its fallback import is optional."""
    names = {"ImportError", "ModuleNotFoundError"}
    for handler in node.handlers:
        caught = handler.type
        kinds = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if any(isinstance(kind, ast.Name) and kind.id in names for kind in kinds):
            return True
    return False


def imports(path: Path, *, root: Path = ROOT, skip_optional: bool = False) -> Iterator[str]:
    """Every module ``path`` (under ``root``) imports, relative imports resolved to absolute names."""
    package = path.relative_to(root).with_suffix("").parts[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    optional: set[int] = set()
    if skip_optional:
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and _optional(node):
                optional |= {id(inner) for part in (*node.body, *node.handlers) for inner in ast.walk(part)}
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            else:
                assert node.module is not None
                yield node.module


def test_index_never_imports_discord_or_the_bot() -> None:
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules("index")
        for name in imports(path)
        if name.split(".")[0] in {"discord", "bot"}
    ]
    assert offending == []


def test_the_contract_check_sees_relative_and_nested_imports(tmp_path: Path) -> None:
    # The check above is only as good as the walk: prove it on a module that hides both kinds.
    sample = tmp_path / "index" / "sample.py"
    sample.parent.mkdir()
    sample.write_text("def f() -> None:\n    import discord.ui\n    from ..bot import client\n    from . import text\n")
    assert list(imports(sample, root=tmp_path)) == ["discord.ui", "bot", "index"]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(*extras: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    names = set()
    for requirement in requirements:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert match, requirement
        names.add(_normalise(match.group()))
    return names


def _undeclared(folders: tuple[str, ...], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    missing = []
    for folder in folders:
        for path in modules(folder):
            for name in imports(path, skip_optional=True):
                top = name.split(".")[0]
                if top in OWN or top in SYSTEM or top in sys.stdlib_module_names:
                    continue
                provided = {_normalise(d) for d in distributions.get(top, [top])}
                if not provided & declared:
                    missing.append(f"{path.relative_to(ROOT)} imports {top} ({', '.join(sorted(provided))})")
    return missing


def test_every_imported_distribution_is_declared() -> None:
    assert _undeclared(("index", "bot"), _declared()) == []  # what the installed package needs
    assert _undeclared(("tests",), _declared("test")) == []  # and what the tests need on top
