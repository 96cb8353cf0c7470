"""Objects the cache cannot take, during one sync pass: written apart from their page, so one that
fails (a bug, a value the database refuses) is reported like a malformed one and the rest go on.

Written together, a page is one transaction: one bad object would stop the stream, and every later
pass at the same place. After a page fails, each object is written alone; those that fail again are
reported (a `sync_malformed` exception) and the stream's watermark is held below them, so later passes
read them again. When none can be written the cache itself is at fault (unreachable, full): raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from oms_tui.store.malformed_objects import MalformedObjects
from oms_tui.store.sync_lock import LeaseLost, SyncBusy

log = logging.getLogger(__name__)

# Not about one object: the pass stops on these as it would have without this module
PASS_STOPPERS: tuple[type[BaseException], ...] = (LeaseLost, SyncBusy)


def write_or_apart(
    write: Callable[[list[Any], list[Any] | None], None],
    nodes: list[Any],
    malformed: MalformedObjects,
    stream: str,
    errors: list[str],
    *,
    advance: bool,
) -> None:
    """Write `nodes` with `write(nodes, newest)` (one transaction; the watermark moved up to the newest
    of `newest`, when given), or else each alone, reporting the ones that fail (added to `errors`)."""
    try:
        write(nodes, nodes if advance else None)
        return
    except PASS_STOPPERS:
        raise
    except Exception:
        log.warning("%s: a page could not be written at once; writing it object by object", stream)
    failed: list[tuple[Any, Exception]] = []
    for node in nodes:
        try:
            write([node], None)
        except PASS_STOPPERS:
            raise
        except Exception as error:
            failed.append((node, error))
    if failed and len(failed) == len(nodes):
        raise failed[0][1]
    for node, cause in failed:
        lines = str(cause).strip().splitlines()
        why = f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__
        problem = f"{type(node).__name__} {node.id} could not be written to the cache ({why})"
        errors.append(problem)
        malformed.hold_watermark(stream, {"updatedAt": node.updated_at.isoformat()})
        malformed.report(node.id, problem)
        malformed.left_out.add(node.id)
    if advance:  # up to below the objects that failed (`capped` by the caller)
        write([], nodes)
