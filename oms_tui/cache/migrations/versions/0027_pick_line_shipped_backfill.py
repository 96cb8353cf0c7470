"""pick list lines: the units shipped before 0025 counted, from the audit log's shipments

Without it, a tote picked and shipped before 0025 still counts its units as handed to packing, and the
packer scanning such an order is told to put back units that left in its parcel long ago. Every
shipment this cache made is in the audit log (`store.fulfill`, never deleted); what those shipped
beyond what pick list lines count as `shipped` is given to the lines still holding picked units, oldest
first, as `store_actions.ship` does now. Run again, it finds nothing uncounted.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 22:00:00.000000
"""

import json
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_ROWS = (
    "SELECT l.id, l.fulfillment_order_line_item_id, l.picked, l.shipped FROM pick_list_lines l "
    "JOIN pick_lists p ON p.id = l.pick_list_id "
    "WHERE p.state IN ('open', 'done') AND l.withdrawn IS NULL ORDER BY l.id"
)


def upgrade() -> None:
    connection = op.get_bind()
    shipped: Counter[str] = Counter()
    events = connection.execute(sa.text("SELECT details FROM audit_log WHERE action = 'store.fulfill'"))
    for (details,) in events:
        found = json.loads(details) if isinstance(details, str) else details
        for line in found.get("lines") or ():
            shipped[line["id"]] += int(line["quantity"])
    counted_lines = connection.execute(
        sa.text(
            "SELECT fulfillment_order_line_item_id, SUM(shipped) FROM pick_list_lines "
            "GROUP BY fulfillment_order_line_item_id"
        )
    )
    for line, counted in counted_lines:
        shipped[line] -= int(counted or 0)
    for ident, line, picked, counted in connection.execute(sa.text(LIVE_ROWS)).all():
        taken = max(0, min(shipped[line], picked - counted))
        if taken:
            shipped[line] -= taken
            connection.execute(
                sa.text("UPDATE pick_list_lines SET shipped = shipped + :taken WHERE id = :id"),
                {"taken": taken, "id": ident},
            )


def downgrade() -> None:
    pass  # the counts stay true at 0026
