"""Bulk operations: `bulkOperationRunQuery` runs an unpaginated query over the whole store into JSONL.

As Shopify does, the store works on an operation in the background from the moment it is created:
CREATED, then RUNNING while a worker thread reads the top-level connection a page at a time (holding
the store's lock for one page, and giving way to the requests being answered between pages;
`objectCount` is its running total), then COMPLETED with the file's URL. Like Shopify's, the result
is no snapshot: an object changed while the operation runs may be listed again further on. The
result lists every node on its own line; nodes of nested connections carry `__parentId`. Shopify's
limits are enforced: one query operation at a time, at most 5 connections, nested at most 2 deep.

Tests make operations end otherwise with `end_next(...)`: FAILED, EXPIRED, or CANCELED (CANCELING
until the next read once the work has stopped), optionally with a `partialDataUrl` holding the first
part of the result, cut anywhere. `wait_idle()` waits for every operation's work to end.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLResolveInfo,
    IntValueNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    parse,
    validate,
)

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 5
MAX_DEPTH = 2
FINAL = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
PAGE_INFO = FieldNode(
    name=NameNode(value="pageInfo"),
    selection_set=SelectionSetNode(
        selections=tuple(FieldNode(name=NameNode(value=name)) for name in ("hasNextPage", "endCursor"))
    ),
)
# Shopify runs bulk work on machines of its own: it does not slow the API. The worker reads small
# pages and, between them, gives way to the requests the store is answering (for at most GIVE_WAY_S
# at a time, so a busy store still gets its operations done).
BULK_PAGE = 10
GIVE_WAY_S = 0.05
Execute = Callable[[DocumentNode, dict[str, Any]], dict[str, Any]]  # (document, variables) -> data


@dataclass(frozen=True)
class Ending:
    """How an operation ends: its last status, error code, and the share of its lines kept as partial data."""

    status: str = "COMPLETED"
    error_code: str | None = None
    partial: float = 0.0


@dataclass
class BulkJob:
    id: str
    query: str
    created_at: datetime
    status: str = "CREATED"
    completed_at: datetime | None = None
    url: str | None = None
    object_count: str = "0"
    root_object_count: str = "0"
    file_size: str | None = None
    error_code: str | None = None
    partial_data_url: str | None = None
    type: str = "QUERY"
    ending: Ending = Ending()
    worker: threading.Thread | None = field(default=None, repr=False)
    canceling_shown: bool = False


def _connections(selection_set: SelectionSetNode | None, depth: int = 1) -> list[int]:
    """Depth of every connection field (a field selecting `edges` or `nodes`) in the query."""
    found: list[int] = []
    for selection in selection_set.selections if selection_set else ():
        if not isinstance(selection, FieldNode):
            continue
        inner = (
            {s.name.value for s in selection.selection_set.selections if isinstance(s, FieldNode)}
            if selection.selection_set
            else set()
        )
        is_connection = bool(inner & {"edges", "nodes"})
        found += [depth] if is_connection else []
        found += _connections(selection.selection_set, depth + 1 if is_connection else depth)
    return found


def _flatten(value: Any, parent_id: str | None, lines: list[dict[str, Any]]) -> None:
    """Emit connection nodes as lines; nested connections become lines with `__parentId`."""
    items = [e["node"] for e in value.get("edges", [])] if "edges" in value else value.get("nodes", [])
    for item in items:
        row = {k: v for k, v in item.items() if not (isinstance(v, dict) and ("edges" in v or "nodes" in v))}
        if parent_id is not None:
            row["__parentId"] = parent_id
        lines.append(row)
        for child in item.values():
            if isinstance(child, dict) and ("edges" in child or "nodes" in child):
                _flatten(child, item.get("id"), lines)


def _paged(document: DocumentNode) -> DocumentNode | None:
    """The query with its one top-level connection read a page at a time (`$after`, with pageInfo);
    None when it has several top-level fields or pages its root itself: then it runs whole."""
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    roots = operation.selection_set.selections
    if len(roots) != 1 or not isinstance(roots[0], FieldNode) or roots[0].selection_set is None:
        return None
    root = copy(roots[0])
    if any(argument.name.value in ("first", "last", "after", "before") for argument in root.arguments or ()):
        return None
    root.arguments = (
        *(root.arguments or ()),
        ArgumentNode(name=NameNode(value="first"), value=IntValueNode(value=str(BULK_PAGE))),
        ArgumentNode(name=NameNode(value="after"), value=VariableNode(name=NameNode(value="after"))),
    )
    assert root.selection_set is not None
    root.selection_set = SelectionSetNode(selections=(*root.selection_set.selections, PAGE_INFO))
    paged = copy(operation)
    paged.variable_definitions = (
        VariableDefinitionNode(
            variable=VariableNode(name=NameNode(value="after")),
            type=NamedTypeNode(name=NameNode(value="String")),
        ),
    )
    paged.selection_set = SelectionSetNode(selections=(root,))
    return DocumentNode(definitions=(paged,))


class BulkOperations:
    """The bulk jobs of one simulated shop; `execute(document, variables)` runs a query (holding the
    store's lock) with connections read whole unless it pages them."""

    def __init__(self, now: Callable[[], datetime], base_url: str = "") -> None:
        self._now = now
        self.base_url = base_url
        self.jobs: dict[str, BulkJob] = {}
        self.results: dict[str, str] = {}  # file name (without .jsonl) -> JSONL text
        self.execute: Execute | None = None
        self._endings: list[Ending] = []
        self._answering = 0  # requests being answered, which operations' work gives way to
        self._answering_none = threading.Condition()

    @contextmanager
    def giving_way(self) -> Iterator[None]:
        """Around each request the store answers: operations' work waits while it is answered."""
        with self._answering_none:
            self._answering += 1
        try:
            yield
        finally:
            with self._answering_none:
                self._answering -= 1
                self._answering_none.notify_all()

    def end_next(self, status: str, error_code: str | None = None, partial: float = 0.0) -> None:
        """Make the next operation started end with `status`, keeping `partial` of its lines (0 to 1)."""
        assert status in FINAL, status
        self._endings.append(Ending(status, error_code, partial))

    def get(self, job_id: str) -> BulkJob | None:
        job = self.jobs.get(job_id)
        if job is not None and job.status == "CANCELING":  # a cancel lands one read after the work stopped
            if job.canceling_shown:
                job.status = "CANCELED"
            job.canceling_shown = True
        return job

    def current(self) -> BulkJob | None:
        return self.get(list(self.jobs)[-1]) if self.jobs else None

    def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until no operation's work is under way (tests)."""
        for job in list(self.jobs.values()):
            if job.worker is not None:
                job.worker.join(timeout)

    def _work(self, job: BulkJob, document: DocumentNode) -> None:
        """The worker thread: read the whole result, then end as the job's ending says."""
        lines: list[dict[str, Any]] = []
        try:
            self._read(job, document, lines)
        except Exception:  # a fault of the simulator's own: the operation fails as Shopify's would
            log.exception("bulk operation %s failed", job.id)
            job.ending = Ending("FAILED", "INTERNAL_SERVER_ERROR")
        ending = job.ending
        job.completed_at, job.error_code = self._now(), ending.error_code
        if ending.status == "COMPLETED":
            job.url = self._publish(job, lines, "")
        elif ending.partial > 0:
            job.partial_data_url = self._publish(job, lines[: int(len(lines) * ending.partial)], "-partial")
        job.status = "CANCELING" if ending.status == "CANCELED" else ending.status  # last: the url is set

    def _read(self, job: BulkJob, document: DocumentNode, lines: list[dict[str, Any]]) -> None:
        assert self.execute is not None
        paged = _paged(document)
        after: str | None = None
        while True:
            data = self.execute(paged or document, {"after": after} if paged else {})
            roots = [root for root in (data or {}).values() if isinstance(root, dict)]
            for root in roots:
                _flatten(root, None, lines)
            job.status, job.object_count = "RUNNING", str(len(lines))  # the creating answer said CREATED
            page = (roots[0].get("pageInfo") if paged and roots else None) or {}
            if not page.get("hasNextPage"):
                return
            after = page["endCursor"]
            with self._answering_none:
                self._answering_none.wait_for(lambda: self._answering == 0, timeout=GIVE_WAY_S)

    def _publish(self, job: BulkJob, lines: list[dict[str, Any]], suffix: str) -> str:
        """Serve `lines` as a JSONL file; returns its URL."""
        name = job.id.rsplit("/", 1)[1] + suffix
        text = "".join(json.dumps(line) + "\n" for line in lines)
        self.results[name] = text
        roots = sum(1 for line in lines if "__parentId" not in line)
        job.object_count, job.root_object_count, job.file_size = str(len(lines)), str(roots), str(len(text))
        return f"{self.base_url}/bulk/{name}.jsonl"

    def start(self, schema: Any, query: str, number: int) -> tuple[BulkJob | None, list[dict[str, Any]]]:
        if any(job.status not in FINAL for job in self.jobs.values()):
            return None, [
                {
                    "field": None,
                    "message": "A bulk query operation for this app and shop is already in progress.",
                    "code": "OPERATION_IN_PROGRESS",
                }
            ]
        try:
            document = parse(query)
        except GraphQLError as error:
            return None, [{"field": ["query"], "message": error.message, "code": "INVALID"}]
        errors = validate(schema, document)
        operation = document.definitions[0]
        depths = _connections(getattr(operation, "selection_set", None))
        problems = [e.message for e in errors]
        if len(depths) > MAX_CONNECTIONS:
            problems.append(f"Queries that contain more than {MAX_CONNECTIONS} connections are not allowed.")
        if any(d > MAX_DEPTH for d in depths):
            problems.append(
                f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}."
            )
        if not depths:
            problems.append("Bulk queries must contain at least one connection.")
        if problems:
            return None, [{"field": ["query"], "message": p, "code": "INVALID"} for p in problems]
        ending = self._endings.pop(0) if self._endings else Ending()
        job = BulkJob(f"gid://shopify/BulkOperation/{number}", query, self._now(), ending=ending)
        job.worker = threading.Thread(target=self._work, args=(job, document), name=job.id, daemon=True)
        self.jobs[job.id] = job
        job.worker.start()
        return job, []


def _run_query(_: Any, info: GraphQLResolveInfo, query: str, groupObjects: bool = False) -> dict[str, Any]:
    bulk: BulkOperations = info.context["bulk"]
    job, errors = bulk.start(info.schema, query, info.context["store"].new_id())
    return {"bulkOperation": job, "userErrors": errors}


BULK_RESOLVERS: dict[tuple[str, str], Callable[..., Any]] = {
    ("Mutation", "bulkOperationRunQuery"): _run_query,
    ("QueryRoot", "bulkOperation"): lambda _, info, id: info.context["bulk"].get(id),
    ("QueryRoot", "currentBulkOperation"): lambda _, info, type="QUERY": info.context["bulk"].current(),
}
