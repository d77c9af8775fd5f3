"""payroll 2026 parameters: the withholding key formula, the work bonus, the special contribution

Adds the values of parameters.yml that the table does not hold yet (the same step as 0002,
which it runs), leaving staff changes alone.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 23:40:00.000000
"""
import importlib.util
from pathlib import Path

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    path = Path(__file__).with_name("0002_shipped_parameters_added_since_0001.py")
    spec = importlib.util.spec_from_file_location("shipped_parameters_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.add_missing_shipped_parameters()


def downgrade() -> None:
    pass
