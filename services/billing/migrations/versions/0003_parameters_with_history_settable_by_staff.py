"""parameters with history, settable by staff

The parameters table takes the shape every service shares (shared.parameters.parameter_models):
a value recorded for a date already set supersedes the earlier row instead of replacing it, so
(name, effective_from) is no longer unique; each row says when, by whom and on what authority it
was recorded. The one-row parameter_version table lets every instance notice a change.
Existing rows keep their values and sources.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:40:00
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

UNSOURCED = "shipped with the service before sources were recorded"


def upgrade() -> None:
    now = dt.datetime.now(dt.timezone.utc)
    op.execute(sa.text("UPDATE parameters SET source = :source WHERE source IS NULL")
               .bindparams(source=UNSOURCED))
    with op.batch_alter_table('parameters', schema=None) as batch_op:
        batch_op.drop_constraint('uq_parameters_name', type_='unique')
        batch_op.alter_column('name', existing_type=sa.String(length=64), type_=sa.String(length=80),
                              existing_nullable=False)
        batch_op.alter_column('value', existing_type=sa.String(length=64), type_=sa.String(length=80),
                              existing_nullable=False)
        batch_op.alter_column('source', existing_type=sa.Text(), nullable=False)
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('recorded_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_parameters_name_from', ['name', 'effective_from'], unique=False)
    op.execute(sa.text("UPDATE parameters SET recorded_at = :now").bindparams(
        sa.bindparam("now", now, type_=sa.DateTime(timezone=True))))
    with op.batch_alter_table('parameters', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.DateTime(timezone=True), nullable=False)
    version = op.create_table('parameter_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_parameter_version')))
    op.bulk_insert(version, [{"id": 1, "version": 1}])


def downgrade() -> None:
    op.drop_table('parameter_version')
    op.execute(sa.text("DELETE FROM parameters WHERE superseded_at IS NOT NULL"))
    with op.batch_alter_table('parameters', schema=None) as batch_op:
        batch_op.drop_index('ix_parameters_name_from')
        batch_op.drop_column('superseded_at')
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('recorded_at')
        batch_op.alter_column('source', existing_type=sa.Text(), nullable=True)
        batch_op.alter_column('value', existing_type=sa.String(length=80), type_=sa.String(length=64),
                              existing_nullable=False)
        batch_op.alter_column('name', existing_type=sa.String(length=80), type_=sa.String(length=64),
                              existing_nullable=False)
        batch_op.create_unique_constraint('uq_parameters_name', ['name', 'effective_from'])
