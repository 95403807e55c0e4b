"""Packages that load their modules on first use (``utils.widgets``, ``utils.diagrams``).

A notebook that uses one view or one diagram should not import the transformer code a later one is
built on. Such a package lists ``name -> submodule`` and hands the list to :func:`lazy_exports`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

INTRODUCED_IN = "00"


def lazy_exports(package: str, where: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package``: ``package.name`` imports
    ``package.<where[name]>`` the first time it is asked for, then keeps the value in the package."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{where[name]}", package), name)
        namespace[name] = value  # next time without __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__
