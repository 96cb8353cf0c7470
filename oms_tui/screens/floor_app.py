"""What a screen may ask of the app it runs in about the floor: who is signed in at this station now
(sign-in changes it) and how long a claim lasts. Screens reach it as `floor_app(self.app)`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol, cast

from oms_tui.floor.actions.order_desk import OrderDesk


class FloorApp(Protocol):
    @property
    def desk(self) -> OrderDesk: ...

    @property
    def lease(self) -> timedelta: ...


def floor_app(app: Any) -> FloorApp:
    return cast(FloorApp, app)
