"""Roots of the SDK exception hierarchy: catching ``GlobusError`` catches everything we raise."""

from __future__ import annotations


class GlobusError(Exception):
    """Root of the Globus exception hierarchy."""


class GlobusSDKUsageError(GlobusError, ValueError):
    """The SDK was used in a way that breaks one of its contracts (bad arguments, wrong order)."""
