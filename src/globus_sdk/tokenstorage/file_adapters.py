"""Token storage in a single JSON file."""

from __future__ import annotations

import json
import os
import tempfile
import typing as t

from globus_sdk.tokenstorage.base import FileAdapter
from globus_sdk.version import __version__

if t.TYPE_CHECKING:
    from globus_sdk.services.auth import OAuthTokenResponse


class SimpleJSONFileAdapter(FileAdapter):
    """A storage adapter for storing tokens in JSON files.

    The file holds ``{"by_rs": {...}, "format_version": "1.0",
    "globus-sdk.version": "..."}`` where ``by_rs`` has the layout of
    ``OAuthTokenResponse.by_resource_server``.

    :param filename: the name of the file to write to and read from
    """

    #: the layout version of the file; lets future versions detect and convert old data
    format_version = "1.0"

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def _raw_load(self) -> dict[str, t.Any]:
        with open(self.filename, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict):
            raise ValueError(f"token file {self.filename!r} does not hold a JSON object")
        return data

    def _load(self) -> dict[str, t.Any]:
        if not self.file_exists():
            return {"by_rs": {}, "format_version": self.format_version}
        data = self._raw_load()
        version = data.get("format_version")
        if version != self.format_version:
            raise ValueError(
                f"token file {self.filename!r} has unsupported format_version {version!r}"
            )
        if not isinstance(data.get("by_rs"), dict):
            raise ValueError(f"token file {self.filename!r} has no valid 'by_rs' mapping")
        return data

    def _write(self, data: dict[str, t.Any]) -> None:
        # write a sibling temp file (0600) then rename it over, so a crash never
        # leaves a truncated token file and the file is never group/world readable
        directory = os.path.dirname(os.path.abspath(self.filename))
        with self.user_only_umask():
            fd, tmp_path = tempfile.mkstemp(
                dir=directory, prefix=".tmp-" + os.path.basename(self.filename)
            )
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f)
                os.chmod(tmp_path, 0o600)
                os.replace(tmp_path, self.filename)
            except BaseException:
                if os.path.exists(tmp_path):
                    os.unlink(tmp_path)
                raise

    def store(self, token_response: OAuthTokenResponse) -> None:
        """Merge the response's token data into the file, written user-only.

        Token data for resource servers not in the response is kept; the version of
        the SDK in use is recorded.
        """
        data = self._load()
        data["by_rs"].update(
            {rs: dict(tokens) for rs, tokens in token_response.by_resource_server.items()}
        )
        data["format_version"] = self.format_version
        data["globus-sdk.version"] = __version__
        self._write(data)

    def get_by_resource_server(self) -> dict[str, t.Any]:
        """Read only the ``by_rs`` data (same format as ``by_resource_server``)."""
        return dict(self._load()["by_rs"])

    def get_token_data(self, resource_server: str) -> dict[str, t.Any] | None:
        """Lookup token data for a resource server (None if absent)."""
        return self.get_by_resource_server().get(resource_server)
