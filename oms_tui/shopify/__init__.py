"""What both the store client and the simulator know of Shopify: the served schema and the cost rule."""
