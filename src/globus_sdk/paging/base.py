"""The Paginator base class and how paginators hand paging parameters to client methods.

Passing paging parameters (design choice)
-----------------------------------------
A paginator calls the bound client method once per page with the caller's positional
arguments and keyword arguments, plus its own paging parameters (``offset``/``limit``,
``marker``, ``last_key``, ``next_token``). For each paging parameter it chooses, by
inspecting the method's signature:

1. a keyword argument of that name, if the method declares one (``endpoint_search(...,
   limit=, offset=)``, ``get_shared_endpoint_list(..., next_token=)``);
2. otherwise an entry in ``query_params``, merged over a copy of the caller's
   ``query_params`` (``task_successful_transfers(task_id, *, query_params=None)``);
3. otherwise a keyword argument if the method takes ``**kwargs``.

A method accepting none of these cannot be paginated and raises ``GlobusSDKUsageError``.
The caller's own ``query_params`` dict is never mutated.
"""

from __future__ import annotations

import abc
import inspect
import typing as t

from globus_sdk.exc import GlobusSDKUsageError

if t.TYPE_CHECKING:
    from globus_sdk.response import GlobusHTTPResponse


def page_get(page: t.Any, key: str, default: t.Any = None) -> t.Any:
    """``page[key]`` for a response (or a plain dict), ``default`` when missing or not a dict."""
    data = getattr(page, "data", page)
    if isinstance(data, dict):
        return data.get(key, default)
    return default


class Paginator(t.Iterable["GlobusHTTPResponse"], abc.ABC):
    """Base class for all paginators: ``pages()`` and ``items()``; iterating yields pages.

    :param method: a bound method of an SDK client, called once per page
    :param items_key: the key of the array of items within each page
    :param client_args: positional arguments passed to every call of ``method``
    :param client_kwargs: keyword arguments passed to every call of ``method``
    """

    def __init__(
        self,
        method: t.Callable[..., t.Any],
        *,
        items_key: str | None = None,
        client_args: list[t.Any],
        client_kwargs: dict[str, t.Any],
    ) -> None:
        self.method = method
        self.items_key = items_key
        self.client_args = list(client_args)
        self.client_kwargs = dict(client_kwargs)

    def __iter__(self) -> t.Iterator[GlobusHTTPResponse]:
        return self.pages()

    @abc.abstractmethod
    def pages(self) -> t.Iterator[GlobusHTTPResponse]:
        """Yield each page of results as a response object."""

    def items(self) -> t.Iterator[t.Any]:
        """Yield each item of each page (``page[items_key]``).

        Raises ``ValueError`` when the paginator has no ``items_key``.
        """
        if self.items_key is None:
            raise ValueError(
                f"{type(self).__name__} has no items_key, so it cannot iterate items; use pages()"
            )
        for page in self.pages():
            yield from page_get(page, self.items_key) or []

    # -- helpers for subclasses -------------------------------------------------------

    def initial_param(self, name: str) -> t.Any:
        """A paging parameter the caller supplied, as a keyword argument or in query_params."""
        if self.client_kwargs.get(name) is not None:
            return self.client_kwargs[name]
        query_params = self.client_kwargs.get("query_params")
        if isinstance(query_params, dict):
            return query_params.get(name)
        return None

    def call_method(self, paging_params: dict[str, t.Any]) -> GlobusHTTPResponse:
        """Call the method with the caller's arguments plus ``paging_params`` (None values dropped)."""
        kwargs = dict(self.client_kwargs)
        for name, value in paging_params.items():
            route = _param_route(self.method, name)  # checked even for None: fail early
            if value is None:
                continue
            if route == "query_params":
                query_params = dict(kwargs.get("query_params") or {})
                query_params[name] = value
                kwargs["query_params"] = query_params
            else:
                kwargs[name] = value
        return t.cast("GlobusHTTPResponse", self.method(*self.client_args, **kwargs))


def _param_route(method: t.Callable[..., t.Any], name: str) -> str:
    """Where ``method`` accepts paging parameter ``name``: "kwarg" or "query_params"."""
    try:
        params = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return "kwarg"  # cannot tell; let the call itself complain
    named = params.get(name)
    if named is not None and named.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    ):
        return "kwarg"
    if "query_params" in params:
        return "query_params"
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return "kwarg"
    raise GlobusSDKUsageError(
        f"{getattr(method, '__qualname__', method)!r} accepts neither {name!r} nor "
        "query_params, so it cannot be paginated"
    )
