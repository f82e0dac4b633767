"""Structured extras parsed out of API error documents.

Each ``ErrorInfo`` tests falsy when the error carried none of its data, so callers can
write ``if err.info.consent_required: ...`` without checking keys themselves. Their
``str()`` forms are globus-sdk 3.2's: ``Name(attr=value, ...)`` listing the public
attributes when truthy, ``Name(:)`` when not, and the container joins its two with ``|``.
Their reprs are Python's default, as in 3.2.
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
    """Errors may contain "containers" of data which are testable (define ``__bool__``).
    When they have data, they should ``bool()`` as ``True``."""

    _has_data: bool

    def __bool__(self) -> bool:
        return self._has_data

    def __str__(self) -> str:
        if not self:
            return f"{type(self).__name__}(:)"
        public = [f"{k}={v}" for k, v in vars(self).items() if not k.startswith("_")]
        return f"{type(self).__name__}({', '.join(public)})"


class AuthorizationParameterInfo(ErrorInfo):
    """The ``authorization_parameters`` of an error: what a new login session must satisfy.

    Truthy when the error has an ``authorization_parameters`` object. The three documented
    attributes hold the values as sent; the policies, MFA and scope requirements newer
    services add are parsed into read-only properties, outside the ``str()`` form.

    :ivar session_message: A message from the server
    :ivar session_required_identities: identity IDs the server asks for
    :ivar session_required_single_domain: domains the server asks for (the user picks one)
    """

    def __init__(self, error_data: dict[str, t.Any]) -> None:
        params = error_data.get("authorization_parameters")
        self._has_data = isinstance(params, dict)
        data: dict[str, t.Any] = params if isinstance(params, dict) else {}
        self.session_message = t.cast("str | None", data.get("session_message"))
        self.session_required_identities = t.cast(
            "list[str] | None", data.get("session_required_identities")
        )
        self.session_required_single_domain = t.cast(
            "list[str] | None", data.get("session_required_single_domain")
        )
        mfa = data.get("session_required_mfa")
        self._session_required_policies = _str_list(data.get("session_required_policies"))
        self._session_required_mfa: bool | None = mfa if isinstance(mfa, bool) else None
        self._required_scopes = _str_list(data.get("required_scopes"))

    @property
    def session_required_policies(self) -> list[str] | None:
        """Policy IDs the session must satisfy (a comma-separated string is split)."""
        return self._session_required_policies

    @property
    def session_required_mfa(self) -> bool | None:
        """Whether the session must have used multi-factor authentication."""
        return self._session_required_mfa

    @property
    def required_scopes(self) -> list[str] | None:
        """Scopes the new login must request."""
        return self._required_scopes


class ConsentRequiredInfo(ErrorInfo):
    """Consent information: truthy iff the code is ``ConsentRequired`` with a scope list.

    :ivar required_scopes: the scopes the server asks consent for (None unless the code
        is ``ConsentRequired``)
    """

    def __init__(self, error_data: dict[str, t.Any]) -> None:
        consent = error_data.get("code") == "ConsentRequired"
        self.required_scopes = t.cast(
            "list[str] | None", error_data.get("required_scopes") if consent else None
        )
        self._has_data = consent and isinstance(self.required_scopes, list)


class ErrorInfoContainer:
    """Holds every ErrorInfo parsed from one error document (``err.info``).

    :ivar authorization_parameters: A parsed AuthorizationParameterInfo object
    :ivar consent_required: A parsed ConsentRequiredInfo object
    """

    def __init__(self, error_data: dict[str, t.Any] | None) -> None:
        data = error_data if isinstance(error_data, dict) else {}
        self.authorization_parameters = AuthorizationParameterInfo(data)
        self.consent_required = ConsentRequiredInfo(data)

    def __str__(self) -> str:
        return f"{self.authorization_parameters}|{self.consent_required}"
