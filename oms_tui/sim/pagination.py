"""Relay connections as Shopify serves them: opaque cursors, first/last/after/before, at most 250."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from graphql import GraphQLError

from oms_tui.sim.updated_index import Key

MAX_PAGE_SIZE = 250
T = TypeVar("T")
Scan = Callable[[Key | None, bool], Iterator[tuple[Key, T]]]


def encode_cursor(key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": list(key)}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded))["k"]
        if not all(isinstance(part, int) for part in key):
            raise ValueError(key)
        return tuple(key)
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError(
            f"Invalid cursor for current pagination sort: {cursor}", extensions={"code": "BAD_REQUEST"}
        ) from exc


def page_size(first: int | None, last: int | None, unbounded: bool = False) -> int:
    if unbounded and first is None and last is None:
        return 2**62  # bulk operations read whole connections
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    if first is not None and last is not None:
        raise GraphQLError(
            "providing both first and last is not supported", extensions={"code": "BAD_REQUEST"}
        )
    size = first if first is not None else last
    assert size is not None
    if not 0 <= size <= MAX_PAGE_SIZE:
        name = "first" if first is not None else "last"
        raise GraphQLError(
            f"The maximum page size is {MAX_PAGE_SIZE}; {name}: {size} is not allowed",
            extensions={"code": "BAD_REQUEST", "argumentName": name, "max": MAX_PAGE_SIZE},
        )
    return size


def connection(
    scan: Scan[T],
    args: dict[str, Any],
    keep: Callable[[T], bool] | None = None,
    reverse: bool = False,
    unbounded: bool = False,
) -> dict[str, Any]:
    """One page of the stream `scan(start_key, backwards)`; `reverse` flips the sort order.

    `unbounded` (bulk operations) lets a connection without first/last return every node.
    """
    first, last = args.get("first"), args.get("last")
    size = page_size(first, last, unbounded)
    after = decode_cursor(args["after"]) if args.get("after") else None
    before = decode_cursor(args["before"]) if args.get("before") else None
    backwards = last is not None

    def kept(start: Key | None, walk_back: bool, bounded: bool = True) -> Iterator[tuple[Key, T]]:
        stop = (after if walk_back else before) if bounded else None
        for key, item in scan(start, walk_back != reverse):
            if stop is not None and ((key <= stop) if (walk_back != reverse) else (key >= stop)):
                return
            if keep is None or keep(item):
                yield key, item

    def any_beyond(key: Key | None, walk_back: bool) -> bool:
        return key is not None and next(kept(key, walk_back, bounded=False), None) is not None

    fetched = list(islice(kept(before if backwards else after, backwards), size + 1))
    more = len(fetched) > size
    page = fetched[:size]
    if backwards:
        page.reverse()
    first_key = page[0][0] if page else (before if backwards else after)
    last_key = page[-1][0] if page else (before if backwards else after)
    has_next = more if not backwards else any_beyond(last_key, False)
    has_previous = more if backwards else any_beyond(first_key, True)
    edges = [{"cursor": encode_cursor(key), "node": item} for key, item in page]
    return {
        "edges": edges,
        "nodes": [item for _, item in page],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def list_scan(items: Sequence[T]) -> Scan[T]:
    """A scan over an in-memory list (nested connections); the key is the position."""

    def scan(start: Key | None, backwards: bool) -> Iterator[tuple[Key, T]]:
        if backwards:
            top = len(items) if start is None else start[0]
            return (((i,), items[i]) for i in range(top - 1, -1, -1))
        bottom = 0 if start is None else start[0] + 1
        return (((i,), items[i]) for i in range(bottom, len(items)))

    return scan
