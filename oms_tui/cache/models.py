"""Every table of the cache, imported in one place so metadata and migrations see them all."""

from oms_tui.cache.floor_state import (
    AuditEvent,
    BinLocation,
    Claim,
    ExceptionScan,
    FloorException,
    PackSession,
    PickList,
    PickListLine,
    Role,
    Staff,
    Station,
)
from oms_tui.cache.mirror import (
    Fulfillment,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    InventoryLevel,
    LineItem,
    Location,
    Order,
)
from oms_tui.cache.order_search import OrderSearch
from oms_tui.cache.order_tags import OrderTag
from oms_tui.cache.receiving_state import ReturnReceiving, ReturnReceivingLine
from oms_tui.cache.report_tables import ReportDay, ReportException, ReportHour, ReportShipment, StaffActivity
from oms_tui.cache.returns_mirror import (
    Return,
    ReturnLineItem,
    ReverseDelivery,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLineItem,
)
from oms_tui.cache.sync_state import (
    ApiNotice,
    ChangeFeedEntry,
    HeldBack,
    OutboxAction,
    SyncState,
)

__all__ = [
    "ApiNotice",
    "AuditEvent",
    "BinLocation",
    "ChangeFeedEntry",
    "Claim",
    "ExceptionScan",
    "FloorException",
    "Fulfillment",
    "FulfillmentHold",
    "FulfillmentOrder",
    "FulfillmentOrderLineItem",
    "HeldBack",
    "InventoryLevel",
    "LineItem",
    "Location",
    "Order",
    "OrderSearch",
    "OrderTag",
    "OutboxAction",
    "PackSession",
    "PickList",
    "PickListLine",
    "ReportDay",
    "ReportException",
    "ReportHour",
    "ReportShipment",
    "Return",
    "ReturnLineItem",
    "ReturnReceiving",
    "ReturnReceivingLine",
    "ReverseDelivery",
    "ReverseFulfillmentOrder",
    "ReverseFulfillmentOrderLineItem",
    "Role",
    "Staff",
    "StaffActivity",
    "Station",
    "SyncState",
]
