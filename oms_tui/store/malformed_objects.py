"""Objects the store sent that do not fit their shape, during one sync pass.

Each is reported to a person (a `sync_malformed` exception, once while it is open) and left out; the
rest of its page goes on. The stream's watermark is held below it for the pass, so that later passes
read it again, and find it whole once the store sends it so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import select

from oms_tui.cache.database import Cache
from oms_tui.cache.enums import ExceptionKind
from oms_tui.cache.models import FloorException

Node = TypeVar("Node", bound=BaseModel)


class MalformedObjects:
    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.watermark_cap: dict[str, datetime] = {}  # per stream, below this pass's malformed objects
        self.left_out: set[str] = set()  # their ids: asked for again, they would be reported again

    def parse(
        self, raw: list[dict[str, Any]], shape: type[Node], errors: list[str], stream: str
    ) -> list[Node]:
        """Validate each object; a malformed one is added to `errors` and reported, the rest go on."""
        nodes = []
        for item in raw:
            try:
                nodes.append(shape.model_validate(item))
            except ValidationError as exc:
                ident = item.get("id") if isinstance(item, dict) else None
                problem = f"malformed {shape.__name__} {ident or '(no id)'}: {first_error(exc)}"
                errors.append(problem)
                self.hold_watermark(stream, item)
                self.report(ident, problem)
                self.left_out.add(str(ident))
        return nodes

    def hold_watermark(self, stream: str, item: Any) -> None:
        """Keep this pass's watermark below a malformed object, so later passes read it again."""
        try:
            updated = datetime.fromisoformat(str(item["updatedAt"]).replace("Z", "+00:00"))
        except (TypeError, KeyError, ValueError):
            return  # no usable time: the object is reported, and read again when it changes
        held = self.watermark_cap.get(stream)
        self.watermark_cap[stream] = min(held, updated) if held else updated

    def capped(self, stream: str, watermark: datetime) -> datetime:
        cap = self.watermark_cap.get(stream)
        return min(watermark, cap - timedelta(seconds=1)) if cap else watermark

    def report(self, ident: str | None, problem: str) -> None:
        with self.cache.sessions() as session:
            already = session.exec(
                select(FloorException).where(
                    FloorException.kind == "sync_malformed",
                    FloorException.subject == ident,
                    FloorException.state == "open",
                )
            ).first()
            if already is None:
                session.add(
                    FloorException(
                        kind=ExceptionKind.SYNC_MALFORMED, severity="warning", subject=ident, message=problem
                    )
                )
                session.commit()


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return f"{'.'.join(map(str, error['loc']))}: {error['msg']}"
