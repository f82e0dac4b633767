"""Base classes for token storage adapters."""

from __future__ import annotations

import abc
import contextlib
import os
import typing as t

if t.TYPE_CHECKING:
    from globus_sdk.services.auth import OAuthTokenResponse


class StorageAdapter(metaclass=abc.ABCMeta):
    """Stores token responses and looks token data up by resource server."""

    @abc.abstractmethod
    def store(self, token_response: OAuthTokenResponse) -> None:
        """Persist the token data of a token response."""

    @abc.abstractmethod
    def get_token_data(self, resource_server: str) -> dict[str, t.Any] | None:
        """Lookup token data for a resource server

        Returns a dict with the access token, refresh token (optional) and expiration
        time, or None if nothing is stored for that resource server.
        """

    def on_refresh(self, token_response: OAuthTokenResponse) -> None:
        """Authorizer ``on_refresh`` callback: store the refreshed tokens."""
        self.store(token_response)


class FileAdapter(StorageAdapter, metaclass=abc.ABCMeta):
    """Adapters backed by one file that belongs to, and is read by, a single user."""

    filename: str

    def file_exists(self) -> bool:
        """Check if the file used by this file storage adapter exists."""
        return os.path.exists(self.filename)

    @contextlib.contextmanager
    def user_only_umask(self) -> t.Iterator[None]:
        """A context manager denying rwx to group and world (and x to the user).

        Files created inside it are readable/writable by their owner only (on unix).
        """
        old_umask = os.umask(0o177)
        try:
            yield
        finally:
            os.umask(old_umask)
