"""Shipping labels at the pack station and from the command line: rate shopping by rule, buying
exactly once through the outbox, voiding labels that will not be used, handing the tracking number to
the pack (`records`: the cache's side; `rules`: addresses, boxes and the rate rule; `desk`: the
workflow that talks to the carrier)."""
