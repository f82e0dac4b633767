"""Waiting for something another thread or process does, with a bound that names what hung."""

from __future__ import annotations

import time
import typing as t

T = t.TypeVar("T")


def wait_until(
    predicate: t.Callable[[], T | None], what: str, timeout: float = 30.0, every: float = 0.02
) -> T:
    """Call ``predicate`` every ``every`` seconds until it returns something truthy, and
    return that; fail naming ``what`` after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)
