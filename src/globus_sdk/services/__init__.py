"""One subpackage per Globus service; each has its client, responses, errors and payloads."""

from __future__ import annotations

import importlib
import importlib.util
import types


def __getattr__(name: str) -> types.ModuleType:
    # each service subpackage is an attribute from the start, imported on first access
    if name.startswith("_") or importlib.util.find_spec(f"{__name__}.{name}") is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")
