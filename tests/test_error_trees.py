"""Each errors module draws its error tree in its docstring (httpx's style); the drawings are checked here.

Every error a person may be shown is a ``NewsdeskError``. index/errors.py draws those defined
under ``index/``, bot/errors.py those under ``bot/``, and each errors module draws every
exception class it defines itself. A drawn class must really be a subclass of the class it
hangs from, and hang from the nearest of its bases that is drawn.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import pytest

import bot
import bot.errors
import index
import index.errors
from index.errors import NewsdeskError

#: One line of a drawing: the branches, then the class name (what follows it is a description).
NODE = re.compile(r"^ {4}(?P<branch>[ │├└─]*)(?P<name>[A-Z]\w*)\b")


def drawn(module: ModuleType) -> dict[str, str | None]:
    """Each class drawn in ``module``'s docstring, with the class it hangs from (None for the root)."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (module.__doc__ or "").splitlines():
        match = NODE.match(line)
        if match is None or (stack and not match["branch"]):
            continue  # prose, or a second root-level word after the drawing
        depth = len(match["branch"])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[match["name"]] = stack[-1][1] if stack else None
        stack.append((depth, match["name"]))
    return parents


def _all_modules() -> None:
    for package in (index, bot):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


@pytest.mark.parametrize("module", [index.errors, bot.errors], ids=lambda m: m.__name__)
def test_every_exception_class_of_an_errors_module_is_drawn(module: ModuleType) -> None:
    defined = {
        name for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__
    }
    assert defined and defined - set(drawn(module)) == set()


@pytest.mark.parametrize("module", [index.errors, bot.errors], ids=lambda m: m.__name__)
def test_every_drawn_class_hangs_from_its_nearest_base(module: ModuleType) -> None:
    _all_modules()
    classes = {cls.__name__: cls for cls in [NewsdeskError, *_subclasses(NewsdeskError)]}
    tree = drawn(module)
    assert tree and [name for name, parent in tree.items() if parent is None] == ["NewsdeskError"]
    assert set(tree) - set(classes) == set()

    def nearest_drawn_base(name: str) -> str | None:
        return next((base.__name__ for base in classes[name].__mro__[1:] if base.__name__ in tree), None)

    assert {name: nearest_drawn_base(name) for name in tree} == tree


def test_every_user_facing_error_is_drawn_in_its_layer() -> None:
    _all_modules()
    layers = {"index": set(drawn(index.errors)), "bot": set(drawn(bot.errors))}
    missing = [
        f"{cls.__module__}.{cls.__name__}" for cls in _subclasses(NewsdeskError)
        if cls.__name__ not in layers[cls.__module__.split(".")[0]]
    ]
    assert missing == []


def test_the_drawing_reader_follows_depth() -> None:
    module = ModuleType("sample", "Errors::\n\n    Root     the base\n    ├── A    one\n    │   └── B  under A\n    └── C    two\n")
    assert drawn(module) == {"Root": None, "A": "Root", "B": "A", "C": "Root"}
