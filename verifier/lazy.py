"""Names of a package loaded on first use (PEP 562).

A package's ``__init__`` lists its public names and the module holding each;
``lazy_names`` gives it the module ``__getattr__`` that imports that module
when the name is first read. So a command that needs no parser, no HTTP
client or no report format does not pay for importing them (start-up time).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: each name of ``modules`` (name ->
    module) from its module, imported on first use."""

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
