"""member standing: status and holdings dated apart, share coverage

The projection now keeps the status and the holdings each from the newest event that states
it, and the day the member's shares cover use until. Existing rows keep their data: the one
``as_of`` becomes both dates; coverage is unknown (NULL) until the member's next event.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.alter_column('as_of', new_column_name='status_at', existing_type=sa.DateTime(timezone=True),
                              nullable=True)
        batch_op.alter_column('paid_shares', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('covered_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('holdings_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE members SET holdings_at = status_at")


def downgrade() -> None:
    op.execute("UPDATE members SET status_at = holdings_at WHERE status_at IS NULL")
    op.execute("UPDATE members SET paid_shares = 0 WHERE paid_shares IS NULL")
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('holdings_at')
        batch_op.drop_column('covered_until')
        batch_op.alter_column('paid_shares', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('status_at', new_column_name='as_of', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
