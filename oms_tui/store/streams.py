"""The streams sync reads, in the order it reads them: their names are also their `SyncState` rows.

Kept apart from the sync engine so the screens that show sync health do not import the engine."""

STREAMS = ("locations", "orders", "fulfillment_orders", "returns", "inventory", "inbound")
