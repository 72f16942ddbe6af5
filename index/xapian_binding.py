"""Xapian's Python binding, which only Debian ships (python3-xapian): imported, or loaded from Debian's folder.

``.ci/link-xapian`` links the package into a venv; without the link, the binding is loaded from
``/usr/lib/python3/dist-packages/xapian`` itself — only that package, never the rest of Debian's
folder, which would shadow the venv's own packages — when its compiled extension is built for this
interpreter (Debian's Python 3.11 and a venv's 3.11 share the ABI). So a venv made the README's way
runs the Xapian engine and its tests wherever ``apt-get install xapian-tools python3-xapian`` ran.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

#: Where Debian's python3-xapian puts the package.
DEBIAN_PACKAGE = Path("/usr/lib/python3/dist-packages/xapian")


def load(package: Path = DEBIAN_PACKAGE) -> ModuleType:
    """The ``xapian`` module; ImportError, saying how to install it, when there is none this Python can load."""
    try:
        import xapian
    except ImportError:
        pass
    else:
        return xapian
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    if not (package / "__init__.py").is_file() or not any(path.name.endswith(suffixes) for path in package.glob("_xapian*")):
        raise ImportError(
            "Xapian's Python binding is not installed for this Python: apt-get install xapian-tools python3-xapian "
            "(built for Debian's Python 3.11), then `bash .ci/link-xapian .venv`"
        )
    spec = importlib.util.spec_from_file_location("xapian", package / "__init__.py", submodule_search_locations=[str(package)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["xapian"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["xapian"]
        raise
    return module


xapian = load()
