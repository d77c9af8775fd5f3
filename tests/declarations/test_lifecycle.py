"""A declaration's life (draft -> ready -> submitted -> accepted/rejected) and its exports."""
import pytest
from lxml import etree

from shared.errors import Forbidden, PreconditionFailed, ValidationError
from shared.testing import wait_until
from tests.declarations.conftest import payout

STAFF = {"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]}


def test_a_return_goes_from_draft_to_accepted_and_its_file_is_frozen_at_submission(
        declarations, publish_event, member_cluster, record_events):
    recorder = record_events("declarations")
    declarations()
    staff = member_cluster(STAFF)
    publish_event("billing", "salary_payout_approved", payout(["2026-09-01"], "2026-09-30"))
    wait_until(lambda: staff.declarations.withholding_return({"period": "2026-09"})["totals"]["gross"] == "3000.00",
               timeout=15)
    draft = staff.declarations.withholding_return({"period": "2026-09"})
    assert draft["status"] == "draft"
    with pytest.raises(PreconditionFailed):
        staff.declarations.mark_submitted({"declaration_id": draft["id"]})
    assert staff.declarations.mark_ready(draft["id"])["status"] == "ready"
    file_at_submission = staff.declarations.export_declaration(draft["id"])["file"]
    submitted = staff.declarations.mark_submitted({"declaration_id": draft["id"], "submission_reference": "274-9"})
    assert (submitted["status"], submitted["submission_reference"]) == ("submitted", "274-9")
    # a payout of September approved later goes to October's return, the file does not move
    publish_event("billing", "salary_payout_approved", payout(["2026-09-20"], "2026-09-30", gross="100.00",
                  employee_contributions="13.07", withholding_tax="0.00", net="86.93",
                  employer_contributions="25.00", employer_cost="125.00"))
    wait_until(lambda: staff.declarations.withholding_return({"period": "2026-10"})["totals"]["gross"] == "100.00",
               timeout=15)
    assert staff.declarations.export_declaration(draft["id"])["file"] == file_at_submission
    root = etree.fromstring(file_at_submission.encode())
    assert [root.find(f".//{{*}}{tag}").text for tag in ("GrossPay", "TaxableIncome", "WithholdingTax")] == [
        "3000.00", "2607.90", "414.20"]
    assert root.find("{*}DueDate").text == "2026-10-15"
    accepted = staff.declarations.record_outcome({"declaration_id": draft["id"], "outcome": "accepted"})
    assert accepted["status"] == "accepted"
    with pytest.raises(PreconditionFailed):
        staff.declarations.record_outcome({"declaration_id": draft["id"], "outcome": "rejected"})
    [outcome] = recorder.wait_for("declaration_outcome_recorded")
    assert outcome["data"]["outcome"] == "accepted"
    assert {"declaration_ready", "declaration_submitted"} <= {e["event_type"] for e in recorder.events}


def test_declarations_are_for_staff_and_bad_input_is_refused(declarations, member_cluster):
    declarations()
    member = member_cluster({"member_id": "00000000-0000-0000-0000-000000000009", "roles": ["member"]})
    with pytest.raises(Forbidden):
        member.declarations.list_declarations({})
    staff = member_cluster(STAFF)
    with pytest.raises(ValidationError) as refused:
        staff.declarations.vat_return({"period": "2026-13"})
    assert "period" in refused.value.fields
    with pytest.raises(ValidationError):
        staff.declarations.dmfa({"period": "2026-03"})
    with pytest.raises(ValidationError):
        staff.declarations.record_outcome({"declaration_id": "not-an-id", "outcome": "accepted"})
