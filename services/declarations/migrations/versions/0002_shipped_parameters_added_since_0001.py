"""shipped parameters added since 0001

Inserts the values of parameters.yml that the table does not hold yet (a name and date never
recorded), leaving staff changes alone; a later addition to the file gets its own revision
running the same step.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:23:13.569330
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_missing_shipped_parameters()


def add_missing_shipped_parameters() -> None:
    import datetime as dt

    from services.declarations.models import shipped_parameters

    parameters = sa.table("parameters", sa.column("name"), sa.column("value"),
                          sa.column("effective_from", sa.Date), sa.column("source"),
                          sa.column("recorded_at", sa.DateTime(timezone=True)))
    connection = op.get_bind()
    held = {(name, day) for name, day in connection.execute(
        sa.select(parameters.c.name, parameters.c.effective_from))}
    now = dt.datetime.now(dt.timezone.utc)
    missing = [dict(row, recorded_at=now) for row in shipped_parameters()
               if (row["name"], row["effective_from"]) not in held]
    if missing:
        op.bulk_insert(parameters, missing)
        version = sa.table("parameter_version", sa.column("id"), sa.column("version"))
        connection.execute(sa.update(version).values(version=version.c.version + 1))


def downgrade() -> None:
    pass
