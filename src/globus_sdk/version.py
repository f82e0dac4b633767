"""The SDK version: the 3.2 API this package implements (sent in the User-Agent)."""

__version__ = "3.2.0"
