"""Storage adapters for persisting and reloading tokens (usable as ``on_refresh``)."""

from globus_sdk.tokenstorage.base import FileAdapter, StorageAdapter
from globus_sdk.tokenstorage.file_adapters import SimpleJSONFileAdapter
from globus_sdk.tokenstorage.sqlite_adapter import SQLiteAdapter

__all__ = ("StorageAdapter", "FileAdapter", "SimpleJSONFileAdapter", "SQLiteAdapter")
