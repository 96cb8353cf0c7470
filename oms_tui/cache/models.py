"""Every table of the cache, imported in one place so metadata and migrations see them all."""

from oms_tui.cache.box_memory import BoxUsed
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
from oms_tui.cache.inbound_mirror import InventoryShipment, InventoryShipmentLine
from oms_tui.cache.inbound_state import InboundReceipt, InboundReceiptLine
from oms_tui.cache.label_spend import ReportLabelSpend
from oms_tui.cache.label_state import ShippingLabel
from oms_tui.cache.messages_state import CustomerMessage
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
from oms_tui.cache.reconcile_state import ReconcileRun
from oms_tui.cache.report_tables import ReportDay, ReportException, ReportHour, ReportShipment, StaffActivity
from oms_tui.cache.returns_mirror import (
    Return,
    ReturnLineItem,
    ReverseDelivery,
    ReverseFulfillmentOrder,
    ReverseFulfillmentOrderLineItem,
)
from oms_tui.cache.rule_state import OrderWave, RuleFiring
from oms_tui.cache.sku_demand import SkuDemand
from oms_tui.cache.stock_state import BinStock, InventoryItem, StockCount, StockCountLine
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
    "BinStock",
    "BoxUsed",
    "ChangeFeedEntry",
    "Claim",
    "CustomerMessage",
    "ExceptionScan",
    "FloorException",
    "Fulfillment",
    "FulfillmentHold",
    "FulfillmentOrder",
    "FulfillmentOrderLineItem",
    "HeldBack",
    "InboundReceipt",
    "InboundReceiptLine",
    "InventoryItem",
    "InventoryLevel",
    "InventoryShipment",
    "InventoryShipmentLine",
    "LineItem",
    "Location",
    "Order",
    "OrderSearch",
    "OrderTag",
    "OrderWave",
    "OutboxAction",
    "PackSession",
    "PickList",
    "PickListLine",
    "ReconcileRun",
    "ReportDay",
    "ReportException",
    "ReportHour",
    "ReportLabelSpend",
    "ReportShipment",
    "Return",
    "ReturnLineItem",
    "ReturnReceiving",
    "ReturnReceivingLine",
    "ReverseDelivery",
    "ReverseFulfillmentOrder",
    "ReverseFulfillmentOrderLineItem",
    "Role",
    "RuleFiring",
    "ShippingLabel",
    "SkuDemand",
    "Staff",
    "StaffActivity",
    "Station",
    "StockCount",
    "StockCountLine",
    "SyncState",
]
