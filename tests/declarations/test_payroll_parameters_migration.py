"""Migration 0004 brings a database that predates it the payroll 2026 parameters (the key
formula, the work bonus, the special contribution), leaving what staff recorded alone."""
import datetime as dt
from decimal import Decimal

from alembic.script import ScriptDirectory
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from services.declarations.domain.payslip import from_gross
from services.declarations.models import Parameter, ParameterVersion, shipped_parameters
from shared.db import make_engine
from shared.migrations import alembic_config, upgrade
from shared.parameters import load_book

PAYROLL_2026 = ("withholding.%", "work_bonus.%", "special_contribution.%")


def test_0004_adds_the_payroll_2026_parameters_to_a_database_without_them(make_db):
    uri = make_db("declarations")
    before_0004 = ScriptDirectory.from_config(alembic_config("declarations")).get_revision("0004").down_revision
    engine = make_engine(uri)
    try:
        with Session(engine) as session, session.begin():  # as it was before 0004, plus a staff change
            session.execute(Parameter.__table__.delete().where(
                or_(*(Parameter.name.like(pattern) for pattern in PAYROLL_2026))))
            session.execute(Parameter.__table__.update().where(Parameter.name == "social.employer_rate")
                            .values(source="staff: checked"))
            session.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": before_0004})
            version = session.execute(select(ParameterVersion.version)).scalar_one()
        upgrade("declarations", uri)
        with Session(engine) as session:
            count = session.execute(select(func.count()).select_from(Parameter)).scalar()
            employer = session.execute(select(Parameter.source).where(
                Parameter.name == "social.employer_rate")).scalar_one()
            book = load_book(session)
    finally:
        engine.dispose()
    assert count == len(shipped_parameters())
    assert employer == "staff: checked"
    assert book.version == version + 1
    slip = from_gross(book, Decimal("2000.00"), "employee", dt.date(2026, 5, 29))
    assert (slip.withholding_tax, slip.special_contribution, slip.net) == (
        Decimal("53.93"), Decimal("2.30"), Decimal("1943.77"))
