"""Structured extras parsed out of API error documents.

Each ``ErrorInfo`` tests falsy when the error carried none of its data, so callers can
write ``if err.info.consent_required: ...`` without checking keys themselves.
"""

from __future__ import annotations

import typing as t


def _str_list(value: t.Any) -> list[str] | None:
    """A list of strings, accepting a comma-separated string too; None for anything else."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


class ErrorInfo:
    """Base for parsed error data; truthy only when the data was present and well-formed."""

    _has_data: bool = False
    _fields: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self._has_data

    def __repr__(self) -> str:
        attrs = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({attrs})" if self._has_data else f"{type(self).__name__}()"

    __str__ = __repr__


class AuthorizationParameterInfo(ErrorInfo):
    """The ``authorization_parameters`` of an error: what a new login session must satisfy."""

    _fields = (
        "session_message",
        "session_required_identities",
        "session_required_single_domain",
        "session_required_policies",
        "session_required_mfa",
        "required_scopes",
    )

    def __init__(self, error_data: dict[str, t.Any]) -> None:
        params = error_data.get("authorization_parameters")
        self._has_data = isinstance(params, dict)
        data: dict[str, t.Any] = params if isinstance(params, dict) else {}
        message = data.get("session_message")
        self.session_message: str | None = message if isinstance(message, str) else None
        self.session_required_identities = _str_list(data.get("session_required_identities"))
        self.session_required_single_domain = _str_list(data.get("session_required_single_domain"))
        self.session_required_policies = _str_list(data.get("session_required_policies"))
        mfa = data.get("session_required_mfa")
        self.session_required_mfa: bool | None = mfa if isinstance(mfa, bool) else None
        self.required_scopes = _str_list(data.get("required_scopes"))


class ConsentRequiredInfo(ErrorInfo):
    """Consent information: truthy iff the code is ``ConsentRequired`` with a scope list."""

    _fields = ("required_scopes",)

    def __init__(self, error_data: dict[str, t.Any]) -> None:
        scopes = error_data.get("required_scopes")
        consent = error_data.get("code") == "ConsentRequired"
        self.required_scopes: list[str] | None = (
            list(scopes) if consent and isinstance(scopes, list) else None
        )
        self._has_data = self.required_scopes is not None


class ErrorInfoContainer:
    """Holds every ErrorInfo parsed from one error document (``err.info``)."""

    def __init__(self, error_data: dict[str, t.Any] | None) -> None:
        data = error_data if isinstance(error_data, dict) else {}
        self.authorization_parameters = AuthorizationParameterInfo(data)
        self.consent_required = ConsentRequiredInfo(data)

    def __repr__(self) -> str:
        return (
            f"ErrorInfoContainer(authorization_parameters={self.authorization_parameters!r}, "
            f"consent_required={self.consent_required!r})"
        )

    __str__ = __repr__
