"""What a screen may ask of the app it runs in about the floor: who is signed in at this station now
(sign-in changes it), how long a claim lasts, its runtime and its clock. Screens reach it as
`floor_app(self.app)`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast

from oms_tui.floor.actions.order_desk import OrderDesk

if TYPE_CHECKING:
    from oms_tui.runtime import Runtime


class FloorApp(Protocol):
    @property
    def desk(self) -> OrderDesk: ...

    @property
    def lease(self) -> timedelta: ...

    @property
    def runtime(self) -> Runtime: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...


def floor_app(app: Any) -> FloorApp:
    return cast(FloorApp, app)
