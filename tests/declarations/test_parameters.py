"""Dated parameters: shipped file loaded by the migration, looked up by date, changed by staff
with history, and seen by every instance once changed."""
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.declarations.models import Parameter, shipped_parameters
from shared.db import make_engine
from shared.errors import Forbidden, NotFound, ValidationError
from shared.parameters import load_book
from shared.testing import wait_until

PAYSLIP = {"gross": "3000.00", "worker_category": "employee"}


def test_migration_loads_every_shipped_value_with_its_date_and_source(make_db):
    engine = make_engine(make_db("declarations"))
    try:
        with Session(engine) as session:
            count = session.execute(select(func.count()).select_from(Parameter)).scalar()
            book = load_book(session)
            employer = session.execute(select(Parameter).where(
                Parameter.name == "social.employer_rate")).scalar_one()
    finally:
        engine.dispose()
    assert count == len(shipped_parameters())
    assert book.text("social.employee_rate", dt.date(2026, 11, 26)) == "13.07"
    assert book.text("pit.bracket_3_upper", dt.date(2025, 12, 31)) == "49840.00"
    assert (employer.value, employer.effective_from) == ("25.00", dt.date(2018, 1, 1))
    assert "tax shift" in employer.source.lower()


def test_get_parameter_answers_by_date_with_its_history(declarations, cluster):
    declarations()
    found = cluster.declarations.get_parameter("declarations.pit.tax_free_allowance", "2025-12-31")
    assert found["value"] == "10910.00"
    assert [h["effective_from"] for h in found["history"]] == ["2025-01-01", "2026-01-01"]
    assert "UNCONFIRMED" in found["history"][1]["source"]
    with pytest.raises(NotFound):
        cluster.declarations.get_parameter("declarations.no.such.parameter")


def test_staff_change_applies_from_its_date_and_keeps_the_history(declarations, cluster, member_cluster,
                                                                  record_events):
    recorder = record_events("declarations")
    declarations()
    before = cluster.declarations.compute_payslip(dict(PAYSLIP, pay_date="2027-01-01"))
    staff = member_cluster({"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]})
    staff.declarations.set_parameter({"name": "declarations.social.employer_rate", "value": "27.00",
                                      "effective_from": "2027-01-01", "source": "test: new rate"})
    # corrected the same day: the first value is superseded, not erased
    staff.declarations.set_parameter({"name": "declarations.social.employer_rate", "value": "26.00",
                                      "effective_from": "2027-01-01", "source": "test: corrected"})
    december = cluster.declarations.compute_payslip(dict(PAYSLIP, pay_date="2026-12-31"))
    january = cluster.declarations.compute_payslip(dict(PAYSLIP, pay_date="2027-01-01"))
    assert before["employer_contributions"] == december["employer_contributions"] == "750.00"
    assert january["employer_contributions"] == "780.00"
    history = cluster.declarations.get_parameter("declarations.social.employer_rate", "2027-06-01")
    assert history["value"] == "26.00"
    assert [(h["value"], h["superseded_at"] is not None) for h in history["history"]] == [
        ("25.00", False), ("27.00", True), ("26.00", False)]
    assert history["history"][2]["recorded_by"] == "00000000-0000-0000-0000-000000000001"
    changed = recorder.wait_for("parameter_changed", 2)
    assert [(e["data"]["name"], e["data"]["value"]) for e in changed] == [
        ("declarations.social.employer_rate", "27.00"), ("declarations.social.employer_rate", "26.00")]


def test_members_cannot_change_parameters_and_bad_values_are_refused(declarations, member_cluster):
    declarations()
    member = member_cluster({"member_id": "00000000-0000-0000-0000-000000000002", "roles": ["member"]})
    change = {"name": "declarations.social.employer_rate", "value": "27.00",
              "effective_from": "2027-01-01", "source": "test"}
    with pytest.raises(Forbidden):
        member.declarations.set_parameter(change)
    staff = member_cluster({"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]})
    with pytest.raises(ValidationError) as refused:
        staff.declarations.set_parameter(dict(change, value="a lot"))
    assert "value" in refused.value.fields
    with pytest.raises(NotFound):
        staff.declarations.set_parameter(dict(change, name="declarations.social.typo_rate"))
    with pytest.raises(NotFound):  # another service's parameter is not declarations' to change
        staff.declarations.set_parameter(dict(change, name="billing.fee_rate", value="0.07"))
    history = staff.declarations.get_parameter("declarations.social.employer_rate", "2027-06-01")
    assert [h["value"] for h in history["history"]] == ["25.00"] and history["value"] == "25.00"


def test_every_instance_computes_with_a_changed_parameter(declarations, cluster, backend):
    """Two instances on one database: the one that did not take the change reloads its cache
    when the parameter version moves (within PARAMETER_CACHE_TTL)."""
    if backend == "sqlite":
        pytest.skip("several instances share a PostgreSQL database; SQLite is one process's file")
    _, db_uri = declarations()
    declarations(db_uri)
    request = dict(PAYSLIP, pay_date="2026-11-30")
    assert {cluster.declarations.compute_payslip(request)["employer_cost"] for _ in range(10)} == {"3750.00"}
    cluster.declarations.set_parameter({"name": "declarations.social.employer_rate", "value": "27.00",
                                        "effective_from": "2026-11-01", "source": "test"})
    wait_until(lambda: {cluster.declarations.compute_payslip(request)["employer_cost"]
                        for _ in range(10)} == {"3810.00"}, timeout=5)
