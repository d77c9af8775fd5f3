"""member classes as a dated parameter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 11:10:00
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

parameters = sa.table("parameters", sa.column("name"), sa.column("value"),
                      sa.column("effective_from", sa.Date), sa.column("source"))


def upgrade() -> None:
    op.bulk_insert(parameters, [
        {"name": "member_classes", "value": "A,B", "effective_from": dt.date(2017, 1, 1),
         "source": "statutes: A = workers using the services, B = clients and supporters"},
    ])


def downgrade() -> None:
    op.execute(parameters.delete().where(parameters.c.name == "member_classes"))
