"""Floor actions the store must hear about: one module per kind, each declaring everything about it
(see `base.ActionType`); `registry.KINDS` lists them."""
