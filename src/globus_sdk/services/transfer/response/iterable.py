"""IterableTransferResponse: list-shaped Transfer answers iterate their ``DATA`` array."""

from __future__ import annotations

from globus_sdk.response import IterableResponse


class IterableTransferResponse(IterableResponse):
    """Response class for non-paged list oriented resources. Allows top level
    fields to be accessed normally via standard item access, and also
    provides a convenient way to iterate over the sub-item list in a specified
    key (``DATA`` unless ``iter_key`` says otherwise):

    >>> print("Path:", r["path"])
    >>> # Equivalent to: for item in r["DATA"]
    >>> for item in r:
    >>>     print(item["name"], item["type"])
    """

    default_iter_key = "DATA"
