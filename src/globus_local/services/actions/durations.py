"""ISO-8601 durations (``P30D``, ``PT1H30M``, ``P1W``) as the ActionRequest's
``release_after`` and the providers' ``maximum_deadline`` write them."""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def parse_duration(text: str) -> int | None:
    """Whole seconds of an ISO-8601 duration without years or months; None if it is not one."""
    found = _DURATION.match(text.strip().upper())
    if found is None or text.strip().upper() in ("P", "PT") or text.strip().endswith("T"):
        return None
    total = sum(float(v) * _UNIT_SECONDS[k] for k, v in found.groupdict().items() if v)
    return int(total)


def format_duration(seconds: int) -> str:
    """``P30D`` for whole days, else ``PT<n>S``."""
    if seconds and seconds % 86400 == 0:
        return f"P{seconds // 86400}D"
    return f"PT{seconds}S"
