"""Bulk operations: `bulkOperationRunQuery` runs an unpaginated query over the whole store into JSONL.

The status moves CREATED -> RUNNING -> COMPLETED, one step each time the operation is read (so a
client polling `bulkOperation(id)` sees every state, and tests need no sleeps). The result lists every
node on its own line; nodes of nested connections carry `__parentId`. Shopify's limits are enforced:
at most 5 connections, nested at most 2 deep.

Tests make operations end otherwise with `end_next(...)`: FAILED, EXPIRED, or CANCELED (through
CANCELING), optionally with a `partialDataUrl` holding the first part of the result, cut anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLResolveInfo, SelectionSetNode, parse, validate

MAX_CONNECTIONS = 5
MAX_DEPTH = 2
FINAL = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")


@dataclass(frozen=True)
class Ending:
    """How an operation ends: its last status, error code, and the share of its lines kept as partial data."""

    status: str = "COMPLETED"
    error_code: str | None = None
    partial: float = 0.0

    @property
    def steps(self) -> tuple[str, ...]:
        return ("CREATED", "RUNNING", *(("CANCELING",) if self.status == "CANCELED" else ()), self.status)


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


class BulkOperations:
    """The bulk jobs of one simulated shop; `execute(query)` runs a query without page limits."""

    def __init__(self, now: Callable[[], datetime], base_url: str = "") -> None:
        self._now = now
        self.base_url = base_url
        self.jobs: dict[str, BulkJob] = {}
        self.results: dict[str, str] = {}  # file name (without .jsonl) -> JSONL text
        self.execute: Callable[[str], dict[str, Any]] | None = None
        self._endings: list[Ending] = []

    def end_next(self, status: str, error_code: str | None = None, partial: float = 0.0) -> None:
        """Make the next operation started end with `status`, keeping `partial` of its lines (0 to 1)."""
        assert status in FINAL, status
        self._endings.append(Ending(status, error_code, partial))

    def get(self, job_id: str) -> BulkJob | None:
        job = self.jobs.get(job_id)
        if job is not None and job.status not in FINAL:
            self._advance(job)
        return job

    def current(self) -> BulkJob | None:
        return self.get(list(self.jobs)[-1]) if self.jobs else None

    def _advance(self, job: BulkJob) -> None:
        steps = job.ending.steps
        job.status = steps[steps.index(job.status) + 1]
        if job.status not in FINAL:
            return
        job.completed_at = self._now()
        job.error_code = job.ending.error_code
        if job.status == "COMPLETED":
            job.url = self._publish(job, self._lines(job.query), "")
        elif job.ending.partial > 0:
            lines = self._lines(job.query)
            job.partial_data_url = self._publish(
                job, lines[: int(len(lines) * job.ending.partial)], "-partial"
            )

    def _lines(self, query: str) -> list[dict[str, Any]]:
        assert self.execute is not None
        data = self.execute(query)
        lines: list[dict[str, Any]] = []
        for root in (data.get("data") or {}).values():
            if isinstance(root, dict):
                _flatten(root, None, lines)
        return lines

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
        self.jobs[job.id] = job
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
