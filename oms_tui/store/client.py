"""`StoreClient`: the async GraphQL client for Shopify's Admin API (or the simulator speaking it).

Every request is paced against a local model of the cost bucket so a clean run is never throttled;
faults are retried within a budget, except where a retry could apply a mutation twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

import httpx
from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, parse, print_ast
from pydantic import SecretStr

from ..config import DEFAULT_API_VERSION, check_shop_url
from ..shopify.cost import MAX_QUERY_COST, cost_shape, requested_cost
from ..shopify.schema import subset_schema as store_schema
from . import documents
from .api_notices import Notice, notices_in
from .bucket import CostBucket
from .documents import Document
from .errors import AmbiguousResult, QueryTooCostly, StoreQueryError, StoreUnavailable
from .page_size import MAX_PAGE_SIZE, NestedSize, largest_batch, largest_first
from .responses import Transient, data_or_raise, decode, throttle_status
from .retry import RetryPolicy

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

# Which document reads the rest of an owner's line items, and where its connection sits.
_LINE_ITEM_READERS = {
    "Order": ("order_line_items", ("order", "lineItems")),
    "FulfillmentOrder": ("fulfillment_order_line_items", ("fulfillmentOrder", "lineItems")),
    "Fulfillment": ("fulfillment_line_items", ("fulfillment", "fulfillmentLineItems")),
}


@lru_cache(maxsize=64)
def _adhoc(text: str) -> Document:
    ast = parse(text)
    operation = next(d for d in ast.definitions if isinstance(d, OperationDefinitionNode))
    name = operation.name.value if operation.name else operation.operation.value
    return Document(name=name, ast=ast, text=print_ast(ast))


class Client(Protocol):
    """What sync, the outbox and their checks need of a store client (`StoreClient`, or a test's fake)."""

    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]: ...

    def paginate(
        self,
        document: str,
        variables: dict[str, Any],
        *,
        connection_path: Sequence[str],
        nested: NestedSize | None = None,
        on_connection: Callable[[dict[str, Any]], None] | None = None,
        read_ahead: int = 1,
    ) -> Any: ...

    async def read_nodes(self, document: str, ids: Sequence[str]) -> list[dict[str, Any]]: ...

    async def fetch_remaining_line_items(self, owner_id: str, after_cursor: str) -> list[dict[str, Any]]: ...

    def download_lines(self, url: str) -> AsyncIterator[str]: ...


class StoreClient:
    """One shop's Admin API. `schema` defaults to the shipped subset; `transport`, `sleep`, `clock`
    and `rng` are for tests and the in-process simulator (`httpx.ASGITransport(app=...)`).

    Refuses (ValueError) a shop URL the token must not go to, such as plain http:// off this machine.
    What the store says about the API itself is collected for `take_notices()`.
    """

    def __init__(
        self,
        shop_url: str,
        token: SecretStr,
        *,
        schema: GraphQLSchema | None = None,
        api_version: str = DEFAULT_API_VERSION,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        pacing_margin: float = 5.0,
    ):
        check_shop_url(shop_url)
        self.endpoint = f"{shop_url.rstrip('/')}/admin/api/{api_version}/graphql.json"
        self.api_version = api_version
        self._notices: dict[str, Notice] = {}
        self._token = token
        self._schema = schema or store_schema()
        self._http = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(timeout, connect=10.0))
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._retry = retry or RetryPolicy()
        self.bucket = CostBucket(margin=pacing_margin)
        self.points_spent = 0  # what the store charged (actualQueryCost), for reports of what a task cost
        self._pacing = asyncio.Lock()
        # Every page of a walk asks the cost rule the same questions (sizing one takes about ten):
        # answers by document, shape of the variables (`cost_shape`) and budget.
        self._costs: dict[tuple[Any, ...], int] = {}

    def __repr__(self) -> str:
        return f"StoreClient({self.endpoint!r})"

    async def __aenter__(self) -> StoreClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def take_notices(self) -> list[Notice]:
        """The API notices seen since the last call, each once: for the caller to record."""
        notices, self._notices = list(self._notices.values()), {}
        return notices

    async def execute(self, document: str | Document, variables: Mapping[str, Any] | None = None) -> dict:
        """Send a document (a name from `documents/`, GraphQL text, or a `Document`); return its `data`.

        Raises StoreAuthError, StoreQueryError / QueryTooCostly at once; StoreUnavailable when the
        retry budget is spent; AmbiguousResult when a mutation may have been applied.
        """
        doc = self._document(document)
        variables = dict(variables or {})
        cost = self._cost(doc, variables)
        attempts, waited = 0, 0.0
        while True:
            try:
                return await self._send(doc, variables, cost)
            except Transient as fault:
                if doc.is_mutation and not fault.not_sent:
                    raise AmbiguousResult(
                        f"{doc.name} may or may not have been applied ({fault}): re-read before resending"
                    ) from None
                delay = fault.delay if fault.delay is not None else self._retry.backoff(attempts, self._rng)
                attempts += 1
                if attempts == self._retry.attempts or waited + delay > self._retry.give_up_after:
                    raise StoreUnavailable(
                        f"store unavailable after {attempts} attempt(s) and {waited:.1f}s of waiting "
                        f"for {doc.name}: {fault}"
                    ) from None
                log.warning("%s: %s; retrying in %.2fs", doc.name, fault, delay)
                waited += delay
                await self._sleep(delay)

    async def paginate(
        self,
        document: str | Document,
        variables: Mapping[str, Any] | None = None,
        *,
        connection_path: Sequence[str],
        nested: NestedSize | None = None,
        on_connection: Callable[[dict[str, Any]], None] | None = None,
        read_ahead: int = 1,
    ) -> AsyncIterator[list[dict]]:
        """Yield the nodes of each page of the connection at `connection_path` in the data.

        The page size is the largest `first` the cost rule allows within one query and the bucket
        (a `first` in `variables` caps it); it is halved whenever the store still finds the page too
        costly. `nested`, told by the caller what pages held, sizes the nested list of later pages.
        A missing owner (for example a deleted order) yields nothing. `on_connection` sees each page's
        connection (its `pageInfo`) before the page is yielded: a caller resuming a walk keeps its cursor.

        Pages are read ahead of the caller, up to `read_ahead` asked for and not yet taken: each one's
        request leaves as soon as the page before it has answered, whatever the caller is doing
        (writing a batch, waiting for its own write). A caller that reads every page passes more than
        one, so the store never waits for it; one that may stop early keeps the default, and what it
        stops before costs at most a page. It leaves no request behind.
        """
        doc = self._document(document)
        variables = dict(variables or {})
        ceiling = int(variables.pop("first", MAX_PAGE_SIZE))
        pages: asyncio.Queue[Any] = asyncio.Queue()
        slots = asyncio.Semaphore(read_ahead)  # one taken per page asked for, given back when read
        reader = asyncio.ensure_future(
            self._read_ahead(pages, slots, doc, variables, ceiling, connection_path, nested)
        )
        try:
            while True:
                connection = await pages.get()
                slots.release()
                if isinstance(connection, BaseException):
                    raise connection
                if connection is None:
                    return
                if on_connection is not None:
                    on_connection(connection)
                yield connection["nodes"]
                if not connection["pageInfo"]["hasNextPage"]:
                    return
        finally:
            reader.cancel()

    async def _read_ahead(
        self,
        pages: asyncio.Queue[Any],
        slots: asyncio.Semaphore,
        doc: Document,
        variables: dict[str, Any],
        ceiling: int,
        connection_path: Sequence[str],
        nested: NestedSize | None,
    ) -> None:
        """Every page in turn into `pages` (None: its owner is gone), or the failure that ended the walk."""
        try:
            while True:
                await slots.acquire()
                connection, ceiling = await self._page(doc, dict(variables), ceiling, connection_path, nested)
                pages.put_nowait(connection)
                if connection is None or not connection["pageInfo"]["hasNextPage"]:
                    return
                variables["after"] = connection["pageInfo"]["endCursor"]
        except Exception as failure:  # the caller raises it where it reads the page it stands for
            pages.put_nowait(failure)

    async def _page(
        self,
        doc: Document,
        variables: dict[str, Any],
        ceiling: int,
        connection_path: Sequence[str],
        nested: NestedSize | None,
    ) -> tuple[Any, int]:
        """One page's connection (None: its owner is gone), and the page size ceiling from then on."""
        while True:
            if nested is not None:
                variables.update(nested.variables(self._schema, doc.ast, variables, self._budget()))
            first = min(ceiling, self._page_size(doc, variables))
            try:
                data = await self.execute(doc, {**variables, "first": first})
            except QueryTooCostly:
                if first == 1:
                    raise
                ceiling = first // 2
                log.info("%s: page of %d too costly, shrinking to %d", doc.name, first, ceiling)
                continue
            connection: Any = data
            for key in connection_path:
                connection = connection.get(key) if isinstance(connection, dict) else None
            return connection, ceiling

    async def read_nodes(self, document: str | Document, ids: Sequence[str]) -> list[dict]:
        """The objects with these ids (`nodes(ids:)`), as many per request as the cost rule allows;
        ids the store no longer has are left out."""
        doc = self._document(document)
        found: list[dict] = []
        start = 0
        while start < len(ids):
            size = self._remembered(
                ("batch", doc.text), lambda: largest_batch(self._schema, doc.ast, {}, self._budget())
            )
            data = await self.execute(doc, {"ids": list(ids[start : start + size])})
            found += [node for node in data["nodes"] if node]
            start += size
        return found

    async def download_lines(self, url: str) -> AsyncIterator[str]:
        """The lines of a bulk operation's result file (a signed URL: no token is sent with it)."""
        try:
            async with self._http.stream("GET", url) as response:  # the token goes on GraphQL posts only
                if response.status_code != 200:
                    raise StoreUnavailable(f"bulk result download failed with HTTP {response.status_code}")
                async for line in response.aiter_lines():
                    if line.strip():
                        yield line
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"bulk result download failed: {type(exc).__name__}") from None

    async def fetch_remaining_line_items(self, owner_id: str, after_cursor: str) -> list[dict]:
        """The line items of an order, fulfillment order or fulfillment (by gid) after the page fetched."""
        kind = owner_id.rsplit("/", 2)[-2]
        if kind not in _LINE_ITEM_READERS:
            raise ValueError(f"not an order, fulfillment order or fulfillment id: {owner_id}")
        name, path = _LINE_ITEM_READERS[kind]
        items: list[dict] = []
        async for page in self.paginate(name, {"id": owner_id, "after": after_cursor}, connection_path=path):
            items.extend(page)
        return items

    def _document(self, document: str | Document) -> Document:
        if isinstance(document, Document):
            return document
        return _adhoc(document) if "{" in document else documents.load(document)

    def _cost(self, doc: Document, variables: Mapping[str, Any]) -> int:
        try:
            cost = self._remembered(
                ("cost", doc.text, cost_shape(variables)),
                lambda: requested_cost(self._schema, doc.ast, variables),
            )
        except (ValueError, GraphQLError, KeyError) as exc:
            raise StoreQueryError(f"cannot compute the cost of {doc.name}: {exc}") from None
        limit = self._budget()
        if cost > limit:
            raise QueryTooCostly(
                f"{doc.name} would cost {cost} points, over {limit}", requested=cost, limit=limit
            )
        return cost

    def _budget(self) -> int:
        """The most one query may cost: the per-query cap, or less if the bucket is smaller."""
        return int(min(MAX_QUERY_COST, self.bucket.maximum or MAX_QUERY_COST))

    def _page_size(self, doc: Document, variables: Mapping[str, Any]) -> int:
        return self._remembered(
            ("first", doc.text, cost_shape(variables)),
            lambda: largest_first(self._schema, doc.ast, variables, self._budget()),
        )

    def _remembered(self, question: tuple[Any, ...], answer: Callable[[], int]) -> int:
        key = (*question, self._budget())
        if key not in self._costs:
            self._costs[key] = answer()
        return self._costs[key]

    async def _send(self, doc: Document, variables: Mapping[str, Any], cost: int) -> dict:
        """Wait until the modelled bucket holds `cost`, count it as spent, then send (one caller at a time).

        Until a response has told us the bucket, the lock is held through the exchange, so concurrent
        callers do not all rush an unknown bucket.
        """
        async with self._pacing:
            while (wait := self.bucket.wait_for(cost, self._clock())) > 0:
                log.debug("pacing: waiting %.2fs for %d points", wait, cost)
                await self._sleep(wait)
            self.bucket.spend(cost, self._clock())
            if self.bucket.maximum is None:
                return await self._exchange(doc, variables, cost)
        return await self._exchange(doc, variables, cost)

    async def _exchange(self, doc: Document, variables: Mapping[str, Any], cost: int) -> dict:
        status = None
        try:
            response = await self._post(doc, variables)
            if response.status_code == 404:
                raise StoreQueryError(
                    f"HTTP 404 for {doc.name}: no Admin API at {self.endpoint}; the API version "
                    f"{self.api_version!r} is probably wrong (oms-tui is built for {DEFAULT_API_VERSION})"
                )
            body = decode(response, doc.name)
            for notice in notices_in(response.headers, body, self.api_version):
                self._notices.setdefault(notice.message, notice)
            status = throttle_status(body)
            charged = ((body.get("extensions") or {}).get("cost") or {}).get("actualQueryCost")
            self.points_spent += charged if isinstance(charged, int) else cost
            log.debug("%s: cost %s", doc.name, (body.get("extensions") or {}).get("cost"))
        finally:
            self.bucket.settle(cost, self._clock(), status)
        return data_or_raise(body, doc.name)

    async def _post(self, doc: Document, variables: Mapping[str, Any]) -> httpx.Response:
        payload = {"query": doc.text, "variables": variables}
        # The only place the token is unwrapped.
        headers = {"X-Shopify-Access-Token": self._token.get_secret_value()}
        try:
            return await self._http.post(self.endpoint, json=payload, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise Transient(f"could not connect ({type(exc).__name__})", not_sent=True) from None
        except httpx.TransportError as exc:
            raise Transient(
                f"connection failed after sending ({type(exc).__name__})", not_sent=False
            ) from None
