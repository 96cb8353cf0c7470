"""Carrier services for shipping labels: one small interface (`base.Carrier`), one module per service.

EasyPost (`easypost_carrier`) is the first; another aggregator is one more module implementing
`Carrier`. Nothing here knows the floor or the store; the floor's label workflow and the outbox use it.
"""
