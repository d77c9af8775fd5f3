"""standing changes: share coverage

A shares row of the dated standing history now carries the day the member's paid shares cover
use until, as membership publishes it; rows recorded before keep NULL (coverage not checked).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('standing_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covered_until', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('standing_changes', schema=None) as batch_op:
        batch_op.drop_column('covered_until')
