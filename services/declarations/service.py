"""The declarations service: dated legal parameters, payslips, Dimona, DmfA, 274 and VAT returns."""

from nameko.dependency_providers import Config

from services.declarations import schemas, xml_export
from services.declarations.domain import intake, ledger, payslip, periods, reports, store
from services.declarations.metrics import ALERTS, DECLARATIONS, PAYSLIPS
from services.declarations.models import Base
from services.declarations.schemas import jsonable
from shared import clock
from shared.contracts import declarations as contract
from shared.db import UnitOfWork
from shared.errors import rule_broken
from shared.events import handle_event, handle_event_batch
from shared.parameters import ParameterCache, ParameterEntrypoints
from shared.schemas import load
from shared.service import ServiceBase, rpc
from shared.timers import configured_timer

# invoices and credit notes booked per unit of work
EVENT_BATCH = 200
# what a payout's Dimona and the payroll returns need of billing's salary_payout_approved
PAYOUT_FIELDS = ("payout_id", "member_id", "activity_id", "work_dates", "first_work_date", "last_work_date",
                 "worker_category", "pay_date", "gross", "employee_contributions", "withholding_tax", "net",
                 "employer_contributions", "employer_cost")


class DeclarationsService(ParameterEntrypoints, ServiceBase):
    name = "declarations"

    uow = UnitOfWork(Base.metadata)
    parameters = ParameterCache()
    config = Config()

    @property
    def periodicity(self) -> str:
        return self.config.get("VAT_PERIODICITY", periods.QUARTERLY)

    def book(self):
        return self.parameters.book()

    # ---- payslips (the parameters' entrypoints: ParameterEntrypoints) ----

    @rpc
    def compute_payslip(self, request):
        data = load(schemas.PayslipRequest(), request)
        book = self.book()
        family = payslip.Family(data["marital_status"], data["dependent_children"], data["other_dependants"])
        if "gross" in data:
            slip = payslip.from_gross(book, data["gross"], data["worker_category"], data["pay_date"],
                                      family, data["working_time"])
            out = contract.PayslipOut()
        else:
            slip = payslip.from_budget(book, data["employment_budget"], data["worker_category"],
                                       data["pay_date"], family, data["working_time"])
            out = contract.InversePayslipOut()
        PAYSLIPS.labels(slip.worker_category).inc()
        return out.dump(slip)

    # ---- declarations ----

    @rpc
    def list_declarations(self, query=None):
        self.caller.require_role("staff")
        data = load(schemas.DeclarationQuery(), query or {})
        with self.uow() as tx:
            found = store.list_declarations(tx.session, data["kind"], data["status"], data["period"],
                                            data["limit"], data["offset"])
            return contract.DeclarationOut(many=True).dump(found)

    @rpc
    def get_declaration(self, declaration_id):
        self.caller.require_role("staff")
        ref = load(schemas.DeclarationRef(), {"declaration_id": declaration_id})
        with self.uow() as tx:
            return self._full(tx.session, ledger.get(tx.session, ref["declaration_id"]))

    @rpc
    def export_declaration(self, declaration_id):
        self.caller.require_role("staff")
        ref = load(schemas.DeclarationRef(), {"declaration_id": declaration_id})
        with self.uow() as tx:
            declaration = ledger.get(tx.session, ref["declaration_id"])
            return {"declaration_id": declaration.id, "file": self._file(tx.session, declaration)}

    @rpc
    def mark_ready(self, declaration_id):
        self.caller.require_role("staff")
        ref = load(schemas.DeclarationRef(), {"declaration_id": declaration_id})
        with self.uow() as tx:
            declaration, changed = ledger.mark_ready(tx.session, ref["declaration_id"])
            if changed:
                self._emit_ready(tx, declaration)
            return self._full(tx.session, declaration)

    @rpc
    def mark_submitted(self, submission):
        self.caller.require_role("staff")
        data = load(schemas.Submission(), submission)
        with self.uow() as tx:
            declaration = ledger.get(tx.session, data["declaration_id"], lock=True)
            declaration = ledger.mark_submitted(
                tx.session, declaration.id, self._file(tx.session, declaration),
                self.caller.member_id, data["submission_reference"])
            tx.emit("declaration_submitted",
                    {**_event(declaration), "submitted_at": declaration.submitted_at},
                    aggregate_id=declaration.id)
            DECLARATIONS.labels(declaration.kind, "submitted").inc()
            return self._full(tx.session, declaration)

    @rpc
    def record_outcome(self, outcome):
        self.caller.require_role("staff")
        data = load(schemas.Outcome(), outcome)
        with self.uow() as tx:
            declaration = ledger.record_outcome(tx.session, data["declaration_id"], data["outcome"],
                                                data["note"])
            tx.emit("declaration_outcome_recorded", {**_event(declaration), "outcome": declaration.status},
                    aggregate_id=declaration.id)
            DECLARATIONS.labels(declaration.kind, declaration.status).inc()
            return self._full(tx.session, declaration)

    @rpc
    def vat_return(self, request):
        return self._periodic("vat", request)

    @rpc
    def withholding_return(self, request):
        return self._periodic("withholding", request)

    @rpc
    def dmfa(self, request):
        return self._periodic("dmfa", request)

    @rpc
    def check_deadlines(self, request=None):
        """Raise the due and overdue alerts (the timer does it hourly); returns what it raised."""
        self.caller.require_role("staff")
        today = load(schemas.DeadlineCheck(), request or {})["today"] or clock.today()
        if today > clock.today():
            # an alert is raised once: a check "from the future" would spend it too early
            raise rule_broken("today", "cannot be in the future")
        book = self.book()
        with self.uow() as tx:
            alerts = ledger.deadline_alerts(tx.session, book, today)
            for alert, declaration in alerts:
                data = _event(declaration)
                if alert == "due":
                    data["days_left"] = (declaration.due_date - today).days
                tx.emit(f"declaration_{alert}", data, aggregate_id=declaration.id)
                ALERTS.labels(declaration.kind, alert).inc()
            return contract.AlertOut(many=True).dump([
                {"alert": alert, "declaration_id": d.id, "kind": d.kind, "period": d.period,
                 "due_date": d.due_date} for alert, d in alerts])

    @configured_timer("DEADLINE_CHECK_INTERVAL", default=3600, eager=True)
    def deadline_timer(self):
        self.check_deadlines()

    # ---- billing's events ----

    # month-end issues thousands of invoices at once: they are booked in batches, one unit of
    # work per batch; an event that fails its batch is handled alone (the list of one)

    @handle_event_batch("billing", "invoice_issued", batch=EVENT_BATCH,
                        takes=("invoice_id", "issue_date", "vat_breakdown"))
    def on_invoice_issued(self, events):
        documents = [event.load() for event in events]
        book = self.book()
        with self.uow() as tx:
            if len(documents) == 1:
                intake.record_invoice(tx.session, book, documents[0], self.periodicity)
            else:
                intake.record_invoices(tx.session, book, documents, self.periodicity)

    @handle_event_batch("billing", "credit_note_issued", batch=EVENT_BATCH,
                        takes=("credit_note_id", "issue_date", "vat_breakdown"))
    def on_credit_note_issued(self, events):
        documents = [event.load() for event in events]
        book = self.book()
        with self.uow() as tx:
            if len(documents) == 1:
                intake.record_credit_note(tx.session, book, documents[0], self.periodicity)
            else:
                intake.record_credit_notes(tx.session, book, documents, self.periodicity)

    @handle_event("billing", "expense_approved",
                  takes=("expense_id", "expense_date", "category", "net", "deductible_vat"))
    def on_expense_approved(self, event):
        data = event.load()
        book = self.book()
        with self.uow() as tx:
            intake.record_expense(tx.session, book, data, self.periodicity)

    @handle_event("billing", "salary_payout_approved", takes=PAYOUT_FIELDS)
    def on_salary_payout_approved(self, event):
        data = event.load()
        book = self.book()
        with self.uow() as tx:
            dimona = intake.record_payout(tx.session, book, data)
            if dimona is not None:
                self._emit_dimona(tx, dimona)

    @handle_event("billing", "salary_payout_cancelled", takes=("payout_id",))
    def on_salary_payout_cancelled(self, event):
        data = event.load()
        book = self.book()
        with self.uow() as tx:
            cancellation = intake.cancel_payout(tx.session, book, data["payout_id"])
            if cancellation is not None:
                self._emit_dimona(tx, cancellation)

    @handle_event("billing", "month_closed", takes=("period",))
    def on_month_closed(self, event):
        data = event.load()
        book = self.book()
        with self.uow() as tx:
            for declaration in intake.close_month(tx.session, book, data["period"], self.periodicity):
                self._emit_ready(tx, declaration)

    # ---- helpers ----

    def _periodic(self, kind, request):
        self.caller.require_role("staff")
        data = load(schemas.PeriodRequest(), request)
        period = periods.check_return_period(kind, data["period"], self.periodicity)
        book = self.book()
        with self.uow() as tx:
            declaration, _ = ledger.open_declaration(tx.session, book, kind, period)
            if data["prepare"] and ledger.ready_period(tx.session, book, kind, period) is not None:
                self._emit_ready(tx, declaration)
            return self._full(tx.session, declaration)

    def _full(self, session, declaration):
        return {**contract.DeclarationDetailOut().dump(declaration),
                **jsonable(reports.content(session, declaration))}

    def _file(self, session, declaration):
        if declaration.submitted_file is not None:
            return declaration.submitted_file
        return xml_export.export(declaration, reports.content(session, declaration), self.config)

    def _emit_ready(self, tx, declaration):
        tx.emit("declaration_ready", _event(declaration), aggregate_id=declaration.id)
        DECLARATIONS.labels(declaration.kind, "ready").inc()

    def _emit_dimona(self, tx, declaration):
        facts = reports.dimona(tx.session, declaration)
        tx.emit("dimona_declared", {**_event(declaration), "payout_id": facts["payout_id"],
                                    "member_id": facts["member_id"], "action": facts["action"],
                                    "start_date": facts["start_date"], "end_date": facts["end_date"]},
                aggregate_id=declaration.reference)
        self._emit_ready(tx, declaration)


def _event(declaration) -> dict:
    return {"declaration_id": declaration.id, "kind": declaration.kind, "period": declaration.period,
            "due_date": declaration.due_date}

