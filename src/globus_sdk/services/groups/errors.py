"""The error raised by GroupsClient."""

from __future__ import annotations

import typing as t

from globus_sdk import exc


class GroupsAPIError(exc.GlobusAPIError):
    """Error class for the Globus Groups Service.

    Groups answers ``{"code", "detail"}``; a request the service cannot validate gets
    ``{"detail": [{"loc", "msg", "type"}, ...]}`` instead, which is summarised into
    ``message`` so the error still reads well.
    """

    def _load_from_json(self, data: dict[str, t.Any]) -> None:
        super()._load_from_json(data)
        detail = data.get("detail")
        if isinstance(detail, list) and detail:
            parts = []
            for item in detail:
                if isinstance(item, dict):
                    loc = ".".join(str(x) for x in item.get("loc") or ())
                    msg = str(item.get("msg", ""))
                    parts.append(f"{loc}: {msg}" if loc else msg)
                else:
                    parts.append(str(item))
            self.message = "; ".join(parts)
