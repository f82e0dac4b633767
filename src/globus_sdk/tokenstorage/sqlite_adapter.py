"""Token and config storage in a namespaced SQLite database."""

from __future__ import annotations

import json
import os
import sqlite3
import typing as t

from globus_sdk.tokenstorage.base import FileAdapter
from globus_sdk.version import __version__

if t.TYPE_CHECKING:
    from globus_sdk.services.auth import OAuthTokenResponse

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS token_storage (
        namespace VARCHAR NOT NULL,
        resource_server VARCHAR NOT NULL,
        token_data_json VARCHAR NOT NULL,
        PRIMARY KEY (namespace, resource_server)
    )""",
    """CREATE TABLE IF NOT EXISTS config_storage (
        namespace VARCHAR NOT NULL,
        config_name VARCHAR NOT NULL,
        config_data_json VARCHAR NOT NULL,
        PRIMARY KEY (namespace, config_name)
    )""",
    """CREATE TABLE IF NOT EXISTS sdk_storage_adapter_internal (
        attribute VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        PRIMARY KEY (attribute)
    )""",
)


class SQLiteAdapter(FileAdapter):
    """A storage adapter for storing tokens in sqlite databases.

    All data is partitioned by ``namespace`` (e.g. a user or profile name); token
    responses are split and stored per resource server, and arbitrary JSON config
    dicts can be stored alongside.

    :param dbname: the DB file to use, or ``":memory:"`` for an in-memory database
    :param namespace: the partition of the database this adapter reads and writes
    :param connect_params: extra keyword arguments for ``sqlite3.connect``
    """

    def __init__(
        self,
        dbname: str,
        *,
        namespace: str = "DEFAULT",
        connect_params: dict[str, t.Any] | None = None,
    ) -> None:
        self.filename = self.dbname = dbname
        self.namespace = namespace
        self._connection = self._init_and_connect(connect_params or {})

    def _is_memory_db(self) -> bool:
        return self.dbname == ":memory:"

    def _init_and_connect(self, connect_params: dict[str, t.Any]) -> sqlite3.Connection:
        conn: sqlite3.Connection
        if self._is_memory_db():
            conn = sqlite3.connect(self.dbname, **connect_params)
        else:
            # create the file (and journals) user-only before sqlite touches it
            with self.user_only_umask():
                if not connect_params.get("uri") and not os.path.exists(self.dbname):
                    os.close(os.open(self.dbname, os.O_CREAT | os.O_WRONLY, 0o600))
                conn = sqlite3.connect(self.dbname, **connect_params)
        with conn:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(
                "REPLACE INTO sdk_storage_adapter_internal (attribute, value) VALUES (?, ?)",
                ("globus-sdk.version", __version__),
            )
        return conn

    def close(self) -> None:
        """Close the underlying database connection."""
        self._connection.close()

    def store_config(self, config_name: str, config_dict: t.Mapping[str, t.Any]) -> None:
        """Store a config dict (serialized as JSON) under the current namespace.

        Uses sqlite ``REPLACE``, so an existing value of that name is overwritten.
        """
        with self._connection as conn:
            conn.execute(
                "REPLACE INTO config_storage (namespace, config_name, config_data_json) "
                "VALUES (?, ?, ?)",
                (self.namespace, config_name, json.dumps(dict(config_dict))),
            )

    def read_config(self, config_name: str) -> dict[str, t.Any] | None:
        """Load a config dict stored under the current namespace, or None."""
        row = self._connection.execute(
            "SELECT config_data_json FROM config_storage WHERE namespace = ? AND config_name = ?",
            (self.namespace, config_name),
        ).fetchone()
        if row is None:
            return None
        value = json.loads(row[0])
        if not isinstance(value, dict):
            raise ValueError(f"config {config_name!r} in {self.dbname!r} is not a JSON object")
        return value

    def remove_config(self, config_name: str) -> bool:
        """Delete a stored config value; True if something was deleted."""
        with self._connection as conn:
            cursor = conn.execute(
                "DELETE FROM config_storage WHERE namespace = ? AND config_name = ?",
                (self.namespace, config_name),
            )
        return cursor.rowcount > 0

    def store(self, token_response: OAuthTokenResponse) -> None:
        """Store each resource server's token data under the current namespace.

        Rows for resource servers in the response are replaced; others are kept.
        """
        rows = [
            (self.namespace, rs, json.dumps(dict(token_data)))
            for rs, token_data in token_response.by_resource_server.items()
        ]
        with self._connection as conn:
            conn.executemany(
                "REPLACE INTO token_storage (namespace, resource_server, token_data_json) "
                "VALUES (?, ?, ?)",
                rows,
            )

    def get_token_data(self, resource_server: str) -> dict[str, t.Any] | None:
        """Load the token data for a resource server, or None if not stored."""
        row = self._connection.execute(
            "SELECT token_data_json FROM token_storage WHERE namespace = ? AND resource_server = ?",
            (self.namespace, resource_server),
        ).fetchone()
        if row is None:
            return None
        data: dict[str, t.Any] = json.loads(row[0])
        return data

    def get_by_resource_server(self) -> dict[str, t.Any]:
        """All token data of the namespace, keyed by resource server."""
        rows = self._connection.execute(
            "SELECT resource_server, token_data_json FROM token_storage WHERE namespace = ?",
            (self.namespace,),
        ).fetchall()
        return {rs: json.loads(data) for rs, data in rows}

    def remove_tokens_for_resource_server(self, resource_server: str) -> bool:
        """Delete the namespace's tokens for a resource server; True if any were deleted."""
        with self._connection as conn:
            cursor = conn.execute(
                "DELETE FROM token_storage WHERE namespace = ? AND resource_server = ?",
                (self.namespace, resource_server),
            )
        return cursor.rowcount > 0
