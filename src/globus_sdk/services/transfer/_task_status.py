"""The states a Transfer task reports in its ``status`` field.

A ``str`` enum, so a member compares equal to the plain string the service sends and
code that compares statuses names a member instead of repeating a literal.
"""

from __future__ import annotations

import enum


class TaskStatus(str, enum.Enum):
    """A Transfer task's ``status``: running (or paused) tasks are ACTIVE or INACTIVE."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
