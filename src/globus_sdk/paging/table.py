"""``has_paginator`` marks client methods as pageable; ``PaginatorTable`` exposes them.

``client.paginated.foo(*args, **kwargs)`` returns
``paginator_class(client.foo, items_key=..., client_args=list(args), client_kwargs=kwargs,
**paginator_params)`` with the class and parameters recorded by ``@has_paginator``.
"""

from __future__ import annotations

import functools
import typing as t

from globus_sdk.paging.base import Paginator

C = t.TypeVar("C", bound=t.Callable[..., t.Any])

_MARK = "_globus_paginator_spec"


class _PaginatorSpec(t.NamedTuple):
    paginator_class: type[Paginator]
    items_key: str | None
    params: dict[str, t.Any]


def has_paginator(
    paginator_class: type[Paginator],
    items_key: str | None = None,
    **paginator_params: t.Any,
) -> t.Callable[[C], C]:
    """Mark a callable -- typically a client method -- as paginated with ``paginator_class``.

    ``items_key`` and ``paginator_params`` are passed to the paginator when
    ``client.paginated.<name>(...)`` builds one. The callable itself is returned unchanged.
    """

    def decorate(func: C) -> C:
        setattr(func, _MARK, _PaginatorSpec(paginator_class, items_key, dict(paginator_params)))
        return func

    return decorate


class PaginatorTable:
    """Paginated variants of a client's ``@has_paginator`` methods, by the same names.

    Built by the client as ``client.paginated``; ``client.paginated.foo(...)`` returns a
    Paginator over ``client.foo``. Asking for a method that is not paginated raises
    AttributeError.
    """

    def __init__(self, client: t.Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> t.Callable[..., Paginator]:
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self._client, name, None)
        spec: _PaginatorSpec | None = getattr(method, _MARK, None)
        if method is None or not isinstance(spec, _PaginatorSpec):
            raise AttributeError(f"{type(self._client).__name__}.{name} is not a paginated method")

        @functools.wraps(method)
        def paginated_method(*args: t.Any, **kwargs: t.Any) -> Paginator:
            return spec.paginator_class(
                method,
                items_key=spec.items_key,
                client_args=list(args),
                client_kwargs=kwargs,
                **spec.params,
            )

        # cache: later lookups skip __getattr__
        self.__dict__[name] = paginated_method
        return paginated_method

    def __dir__(self) -> list[str]:
        names = [
            name
            for name in dir(type(self._client))
            if not name.startswith("_")
            and isinstance(
                getattr(getattr(type(self._client), name, None), _MARK, None), _PaginatorSpec
            )
        ]
        return sorted(set(names) | set(super().__dir__()))
