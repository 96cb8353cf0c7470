"""Alembic environment: runs on the engine that `oms_tui.cache.migrate` hands over."""

from alembic import context
from sqlmodel import SQLModel

import oms_tui.cache.models  # noqa: F401  (registers every table on the metadata)
from oms_tui.cache.migrate import include_object

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        compare_type=True,
        include_object=include_object,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
