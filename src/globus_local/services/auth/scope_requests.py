"""The ``scope`` parameter as clients write it: space-separated scopes, each optionally
followed by its dependent scopes in brackets, ``parent[dep1 *dep2[nested]]``.

A ``*`` before a dependent scope marks it optional (the user may withdraw it alone). This
is the one parser of that syntax: the authorize request, every token grant and the admin
commands read ``scope`` through it, so a malformed string fails the same way everywhere.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from globus_local.services.auth.errors import oauth_error

# A dependency chain deeper than this is no real request.
MAX_DEPTH = 8


@dataclass(frozen=True)
class ScopeRequest:
    """One requested scope and the dependent scopes asked for with it."""

    scope: str
    optional: bool = False
    dependencies: tuple[ScopeRequest, ...] = ()

    def __str__(self) -> str:
        head = ("*" if self.optional else "") + self.scope
        if not self.dependencies:
            return head
        return head + "[" + " ".join(str(d) for d in self.dependencies) + "]"

    @property
    def bare(self) -> ScopeRequest:
        """The same request without the optional mark (how a top-level scope is kept)."""
        return ScopeRequest(self.scope, False, self.dependencies)


def _merge(requests: Iterable[ScopeRequest]) -> tuple[ScopeRequest, ...]:
    """One request per scope, in first-seen order; a scope named twice gets the union of
    its dependencies, and is optional only if every mention says so."""
    merged: dict[str, ScopeRequest] = {}
    for req in requests:
        seen = merged.get(req.scope)
        if seen is None:
            merged[req.scope] = req
        else:
            deps = _merge([*seen.dependencies, *req.dependencies])
            merged[req.scope] = ScopeRequest(req.scope, seen.optional and req.optional, deps)
    return tuple(merged.values())


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, why: str) -> t.NoReturn:
        raise oauth_error("invalid_scope", f"Malformed scope string ({why}): {self.text}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and not (
            self.text[self.pos].isspace() or self.text[self.pos] in "[]*"
        ):
            self.pos += 1
        return self.text[start : self.pos]

    def requests(self, depth: int) -> list[ScopeRequest]:
        """Requests until the end of the text (depth 0) or the closing bracket."""
        out: list[ScopeRequest] = []
        while True:
            self.skip_space()
            if self.pos >= len(self.text):
                if depth:
                    self.fail("a '[' is never closed")
                return out
            ch = self.text[self.pos]
            if ch == "]":
                if not depth:
                    self.fail("a ']' closes nothing")
                self.pos += 1
                return out
            optional = ch == "*"
            if optional:
                if not depth:
                    self.fail("only a dependent scope may be optional")
                self.pos += 1
            name = self.word()
            if not name:
                self.fail("a scope name is missing")
            deps: list[ScopeRequest] = []
            if self.pos < len(self.text) and self.text[self.pos] == "[":
                if depth + 1 > MAX_DEPTH:
                    self.fail("dependencies nested too deep")
                self.pos += 1
                deps = self.requests(depth + 1)
                if not deps:
                    self.fail(f"empty dependency list after {name}")
            out.append(ScopeRequest(name, optional, _merge(deps)))


def parse_scope_requests(value: str | Iterable[str] | None) -> list[ScopeRequest]:
    """The requests a ``scope`` parameter (or a list of such strings) names, merged by
    scope; an ``invalid_scope`` error when the brackets do not add up."""
    if value is None:
        return []
    text = value if isinstance(value, str) else " ".join(value)
    return list(_merge(_Reader(text).requests(0)))


def walk(requests: Iterable[ScopeRequest]) -> Iterator[tuple[ScopeRequest | None, ScopeRequest]]:
    """Every (parent, request) pair of the trees, parents first; top level has no parent."""
    stack: list[tuple[ScopeRequest | None, ScopeRequest]] = [(None, r) for r in requests]
    stack.reverse()
    while stack:
        parent, req = stack.pop()
        yield parent, req
        stack.extend((req, d) for d in reversed(req.dependencies))
