"""member standing: paid shares and share coverage

The projection now knows the member's paid shares and the day they cover use until, each from
the newest event that states them. Existing rows keep their status; their holdings are unknown
(NULL, judged on the status alone as before) until the member's next event.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('member_standing', schema=None) as batch_op:
        batch_op.alter_column('status_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.add_column(sa.Column('paid_shares', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('covered_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('holdings_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM member_standing WHERE status_at IS NULL")
    with op.batch_alter_table('member_standing', schema=None) as batch_op:
        batch_op.drop_column('holdings_at')
        batch_op.drop_column('covered_until')
        batch_op.drop_column('paid_shares')
        batch_op.alter_column('status_at', existing_type=sa.DateTime(timezone=True), nullable=False)
