"""oms-tui: keyboard-first order management for a Shopify fulfillment floor."""

__version__ = "0.1.0"
