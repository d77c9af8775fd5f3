"""The billing service: activities, clients, invoices and credit notes, payments, expenses,
salary payouts and the guarantee fund."""
import base64
import datetime as dt

from nameko.dependency_providers import Config

from services.billing import schemas
from services.billing.domain import (
    activities,
    clients,
    dunning,
    expenses,
    fund,
    invoices,
    members,
    month_end,
    payments,
    periods,
    recurring,
    salary,
)
from services.billing.domain.documents import render_pdf, render_ubl
from services.billing.models import Base, MemberStanding
from shared import clock, standing_handlers
from shared.contracts import billing as contract
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, rule_broken
from shared.events import handle_event
from shared.metrics import counter, gauge, histogram
from shared.parameters import ParameterCache, ParameterEntrypoints
from shared.rpc import TimedRpcProxy
from shared.schemas import load
from shared.service import ServiceBase, rpc
from shared.timers import configured_timer
from shared.topology import retry_delays

INVOICES_ISSUED = counter("coop_invoices_issued_total", "Invoices issued", ["series"])
INVOICED_AMOUNT = counter("coop_invoiced_amount_total", "Amount invoiced excluding VAT (EUR)")
CHUNKS_PENDING = gauge("coop_month_end_chunks_pending", "Month-end chunks not done yet", ["period"])
CHUNKS_DONE = counter("coop_month_end_chunks_done_total", "Month-end chunks done", ["period"])
CHUNKS_FAILED = counter("coop_month_end_chunk_failures_total", "Failed month-end chunk attempts", ["period"])
ACTIVITIES_CLOSED = counter("coop_month_end_activities_total", "Activities closed by month-end", ["period"])
RUN_SECONDS = histogram("coop_month_end_run_seconds", "Duration of a month-end run",
                        buckets=(10, 30, 60, 120, 300, 600, 1200, 3600, 7200))


class BillingService(standing_handlers.MemberStandingHandlers, ParameterEntrypoints, ServiceBase):
    name = "billing"
    member_standing_model = MemberStanding

    uow = UnitOfWork(Base.metadata)
    parameters = ParameterCache()
    config = Config()
    declarations = TimedRpcProxy("declarations")

    # ---- activities ----

    @rpc
    def open_activity(self, payload):
        data = load(schemas.ActivityOpening(), payload)
        self.caller.require_self_or_role(data["member_id"], "staff")
        with self.uow() as tx:
            activity = activities.open_activity(tx.session, data["member_id"], data["name"], self._today())
            tx.emit("activity_opened", {"activity_id": activity.id, "member_id": activity.member_id,
                                        "opened_on": activity.opened_on}, aggregate_id=activity.id)
            return contract.ActivityOut().dump(activities.summary(tx.session, activity))

    @rpc
    def get_activity(self, activity_id):
        ref = load(schemas.ActivityRef(), {"activity_id": activity_id})
        with self.uow() as tx:
            activity = self._own_activity(tx.session, ref["activity_id"])
            return contract.ActivityOut().dump(activities.summary(tx.session, activity))

    @rpc
    def rename_activity(self, payload):
        data = load(schemas.ActivityRename(), payload)
        with self.uow() as tx:
            self._own_activity(tx.session, data["activity_id"])
            activity = activities.rename(tx.session, data["activity_id"], data["name"])
            return contract.ActivityOut().dump(activities.summary(tx.session, activity))

    @rpc
    def close_activity(self, activity_id):
        ref = load(schemas.ActivityRef(), {"activity_id": activity_id})
        with self.uow() as tx:
            self._own_activity(tx.session, ref["activity_id"])
            activity = activities.close(tx.session, ref["activity_id"], self._today())
            tx.emit("activity_closed", {"activity_id": activity.id, "member_id": activity.member_id,
                                        "closed_on": activity.closed_on}, aggregate_id=activity.id)
            return contract.ActivityOut().dump(activities.summary(tx.session, activity))

    @rpc
    def activity_statement(self, payload):
        data = load(schemas.StatementRequest(), payload)
        with self.uow() as tx:
            self._own_activity(tx.session, data["activity_id"])
            return contract.StatementOut().dump(
                activities.statement(tx.session, data["activity_id"], data["start"], data["end"]))

    # ---- clients ----

    @rpc
    def register_client(self, payload):
        data = load(schemas.ClientRegistration(), payload)
        self.caller.require_role("member", "staff")
        with self.uow() as tx:
            client = clients.register(tx.session, data, self.caller.member_id)
            tx.emit("client_registered", {"client_id": client.id, "kind": client.kind,
                                          "country": client.country}, aggregate_id=client.id)
            return contract.ClientOut().dump(client)

    @rpc
    def get_client(self, client_id):
        """A client the caller registered or has invoiced (staff: any client)."""
        ref = load(schemas.ClientRef(), {"client_id": client_id})
        with self.uow() as tx:
            client = clients.get(tx.session, ref["client_id"])
            if not self.caller.has_role("staff") and not clients.known_to(
                    tx.session, client, self.caller.member_id):
                raise Forbidden("this client is not one of yours")
            return contract.ClientOut().dump(client)

    # ---- invoices and credit notes ----

    @rpc
    def create_invoice(self, payload):
        """A draft, or with ``"issue": true`` an issued invoice (create, lines, issue: one step)."""
        data = load(schemas.InvoiceCreation(), payload)
        issue = data.pop("issue")
        with self.uow() as tx:
            self._own_activity(tx.session, data["activity_id"])
            invoice = invoices.create(tx.session, data, self._today())
            if issue:
                invoices.issue_locked(tx.session, [invoice], self._today(), self._series("INVOICE"))
                self._emit(tx, [invoices.issued_event(invoice)])
            out = schemas.InvoiceOut().dump(invoice)
        if issue:
            self._count_issued([invoice])
        return out

    @rpc
    def add_invoice_line(self, payload):
        data = load(schemas.LineAddition(), payload)
        invoice_id = data.pop("invoice_id")
        with self.uow() as tx:
            self._own_invoice(tx.session, invoice_id)
            return schemas.InvoiceOut().dump(invoices.add_line(tx.session, invoice_id, data))

    @rpc
    def issue_invoice(self, invoice_id):
        ref = load(schemas.InvoiceRef(), {"invoice_id": invoice_id})
        with self.uow() as tx:
            self._own_invoice(tx.session, ref["invoice_id"])
            invoice, events = invoices.issue(tx.session, ref["invoice_id"], self._today(), self._series("INVOICE"))
            self._emit(tx, events)
            out = schemas.InvoiceOut().dump(invoice)
        self._count_issued([invoice])
        return out

    @rpc
    def issue_invoices(self, payload):
        """Issue many drafts at once: one transaction, one block of numbers (staff)."""
        data = load(schemas.InvoiceIds(), payload)
        self.caller.require_role("staff")
        with self.uow() as tx:
            issued, events = invoices.issue_many(tx.session, data["invoice_ids"], self._today(),
                                                 self._series("INVOICE"))
            self._emit(tx, events)
            out = [{"id": i.id, "number": i.number} for i in issued]
        self._count_issued(issued)
        return out

    @rpc
    def create_and_issue_invoices(self, payload):
        """Create and issue a batch of invoices in one transaction (staff; recurring billing)."""
        data = load(schemas.InvoiceBatch(), payload)
        self.caller.require_role("staff")
        today = self._today()
        with self.uow() as tx:
            drafts = [invoices.create(tx.session, draft, today) for draft in data["invoices"]]
            tx.session.flush()
            issued = invoices.issue_locked(tx.session, drafts, today, self._series("INVOICE"))
            self._emit(tx, [invoices.issued_event(i) for i in issued])
            out = [{"id": i.id, "number": i.number, "total_gross": str(i.total_gross)} for i in issued]
        self._count_issued(issued)
        return out

    @rpc
    def get_invoice(self, invoice_id):
        ref = load(schemas.InvoiceRef(), {"invoice_id": invoice_id})
        with self.uow() as tx:
            return schemas.InvoiceOut().dump(self._own_invoice(tx.session, ref["invoice_id"]))

    @rpc
    def list_invoices(self, query=None):
        data = load(schemas.InvoiceQuery(), query or {})
        if not self.caller.has_role("staff"):
            data["member_id"] = self.caller.member_id
        with self.uow() as tx:
            found = invoices.list_invoices(tx.session, data, data["limit"], data["offset"])
            return schemas.InvoiceOut(many=True).dump(found)

    @rpc
    def credit_invoice(self, payload):
        data = load(schemas.CreditRequest(), payload)
        with self.uow() as tx:
            self._own_invoice(tx.session, data["invoice_id"])
            note, events = invoices.credit(tx.session, data["invoice_id"], data["lines"], data["reason"],
                                           self._today(), self._series("CREDIT_NOTE"))
            self._emit(tx, events)
            return schemas.InvoiceOut().dump(note)

    @rpc
    def invoice_pdf(self, invoice_id):
        document, client, credited = self._document(invoice_id)
        content = render_pdf(document, client, self.config["COOPERATIVE"], credited)
        return {"filename": f"{document.number}.pdf", "content_type": "application/pdf",
                "content_base64": base64.b64encode(content).decode()}

    @rpc
    def invoice_ubl(self, invoice_id):
        document, client, credited = self._document(invoice_id)
        content = render_ubl(document, client, self.config["COOPERATIVE"], credited)
        return {"filename": f"{document.number}.xml", "content_type": "application/xml",
                "xml": content.decode()}

    # ---- recurring invoices ----

    @rpc
    def create_recurring_invoice(self, payload):
        """A template billed monthly or quarterly by the month-end run, until its end date."""
        data = load(schemas.RecurringInvoiceIn(), payload)
        with self.uow() as tx:
            self._own_activity(tx.session, data["activity_id"])
            return contract.RecurringInvoiceOut().dump(recurring.create(tx.session, data, self._today()))

    @rpc
    def get_recurring_invoice(self, recurring_invoice_id):
        ref = load(schemas.RecurringInvoiceRef(), {"recurring_invoice_id": recurring_invoice_id})
        with self.uow() as tx:
            template = recurring.get(tx.session, ref["recurring_invoice_id"])
            self.caller.require_self_or_role(template.member_id, "staff")
            return contract.RecurringInvoiceOut().dump(template)

    @rpc
    def list_recurring_invoices(self, query=None):
        data = load(schemas.RecurringInvoiceQuery(), query or {})
        if not self.caller.has_role("staff"):
            data["member_id"] = self.caller.member_id
        with self.uow() as tx:
            found = recurring.list_templates(tx.session, data, data["limit"], data["offset"])
            return contract.RecurringInvoiceOut(many=True).dump(found)

    # ---- month-end ----

    @rpc
    def lock_period(self, payload):
        """Lock a period for one activity or for all (staff); corrections go to the next one."""
        data = load(schemas.PeriodLock(), payload)
        self.caller.require_role("staff")
        with self.uow() as tx:
            if data["activity_id"]:
                activities.get(tx.session, data["activity_id"])
            periods.lock(tx.session, data["period"], data["activity_id"])
        return {"period": data["period"], "activity_id": data["activity_id"]}

    @rpc
    def start_month_end(self, payload):
        """Start the period's run (staff), or return the existing one without doing anything."""
        data = load(schemas.MonthEndStart(), payload)
        self.caller.require_role("staff")
        chunk_size = data["chunk_size"] or int(self.config.get("MONTH_END_CHUNK_SIZE", 250))
        try:
            with self.uow() as tx:
                started = month_end.start(tx.session, data["period"], chunk_size, self.caller.member_id)
                self._emit(tx, started.events)
                run_id = started.run.id
        except Conflict:  # another instance created the run at the same moment
            with self.uow() as tx:
                run_id = month_end.find(tx.session, data["period"]).id
            return self._month_end_status(run_id)
        if started.created:
            CHUNKS_PENDING.labels(data["period"]).set(started.run.chunks_total)
        return self._month_end_status(run_id)

    @rpc
    def month_end_status(self, run_id):
        ref = load(schemas.MonthEndRunRef(), {"run_id": run_id})
        self.caller.require_role("staff")
        return self._month_end_status(ref["run_id"])

    def _month_end_status(self, run_id):
        with self.uow() as tx:
            found = month_end.status(tx.session, run_id, len(retry_delays(self.config)) + 1)
            return contract.MonthEndStatusOut().dump(found)

    @configured_timer("MONTH_END_GAUGE_INTERVAL", default=15)
    def month_end_gauge_tick(self):
        """Every instance reports the pending chunks read from the database, so an instance
        that did not take the last chunk does not keep reporting work left over."""
        since = clock.utcnow() - dt.timedelta(days=1)
        with self.uow.read() as connection:
            pending = month_end.pending_by_period(connection, since)
        for period, count in pending.items():
            CHUNKS_PENDING.labels(period).set(count)

    @handle_event("billing", "month_end_chunk_ready", takes=("run_id", "period", "chunk_no", "activity_ids"))
    def on_month_end_chunk_ready(self, event):
        """Billing's own work queue: every instance competes for the chunks."""
        data = event.load()
        try:
            with self.uow() as tx:
                result = month_end.close_chunk(
                    tx.session, data["run_id"], data["period"], data["chunk_no"], data["activity_ids"],
                    self._today(), self._series("INVOICE"))
                self._emit(tx, result.events)
                if not result.already_done:
                    self._emit(tx, month_end.count_done(tx.session, data["run_id"], result))
        except Exception as exc:
            # counted outside the unit of work (which would record the event as handled),
            # then raised: the shared handler retries and finally dead-letters the chunk
            with self.uow.engine.begin() as connection:
                month_end.record_failure(connection, data["run_id"], data["chunk_no"], repr(exc))
            CHUNKS_FAILED.labels(data["period"]).inc()
            raise
        if result.already_done:
            return
        self._count_issued(result.issued)
        CHUNKS_DONE.labels(data["period"]).inc()
        CHUNKS_PENDING.labels(data["period"]).set(result.chunks_pending)
        ACTIVITIES_CLOSED.labels(data["period"]).inc(result.closed)
        if result.finished is not None:
            RUN_SECONDS.observe(month_end.duration(result.finished))

    # ---- payments ----

    @rpc
    def record_payment(self, payload):
        data = load(schemas.PaymentIn(), payload)
        self.caller.require_role("staff")
        with self.uow() as tx:
            payment, events = payments.record(tx.session, data, self._today())
            self._emit(tx, events)
            return contract.PaymentOut().dump(payment)

    @rpc
    def import_bank_statement(self, payload):
        data = load(schemas.StatementImport(), payload)
        self.caller.require_role("staff")
        with self.uow() as tx:
            summary, events = payments.import_statement(tx.session, data["statement"], self._today())
            self._emit(tx, events)
            return contract.ImportSummary().dump(summary)

    @rpc
    def match_payment(self, payload):
        data = load(schemas.PaymentMatch(), payload)
        self.caller.require_role("staff")
        with self.uow() as tx:
            payment, events = payments.match(tx.session, data["payment_id"], data["invoice_id"])
            self._emit(tx, events)
            return contract.PaymentOut().dump(payment)

    @rpc
    def unmatched_payments(self, page=None):
        data = load(schemas.Page(), page or {})
        self.caller.require_role("staff")
        with self.uow() as tx:
            found = payments.unmatched(tx.session, data["limit"], data["offset"])
            return contract.PaymentOut(many=True).dump(found)

    # ---- expenses ----

    @rpc
    def submit_expense(self, payload):
        data = load(schemas.ExpenseIn(), payload)
        with self.uow() as tx:
            self._own_activity(tx.session, data["activity_id"])
            return contract.ExpenseOut().dump(expenses.submit(tx.session, data, self._today()))

    @rpc
    def decide_expense(self, payload):
        data = load(schemas.ExpenseDecision(), payload)
        self.caller.require_role("staff")
        with self.uow() as tx:
            expense, events = expenses.decide(tx.session, data["expense_id"], data["approve"],
                                              data["reason"], self.caller.member_id, self._today())
            self._emit(tx, events)
            return contract.ExpenseOut().dump(expense)

    # ---- salary and the guarantee fund ----

    @rpc
    def request_salary(self, request, work_dates=None, amount=None, worker_category=None):
        if isinstance(request, str):  # request_salary(activity_id, work_dates, amount)
            request = {"activity_id": request, "work_dates": work_dates, "amount": amount,
                       **({"worker_category": worker_category} if worker_category else {})}
        data = load(schemas.SalaryRequest(), request)
        today = self._today()
        with self.uow() as tx:
            self._own_activity(tx.session, data["activity_id"])
            data.update(salary.plan(tx.session, data, today))
        # no transaction is held while declarations computes the payslip
        payslip = self.declarations.compute_payslip({
            "employment_budget": str(data["amount"]), "worker_category": data["worker_category"],
            "pay_date": data["pay_date"].isoformat()})
        with self.uow() as tx:
            payout, events = salary.approve(tx.session, data, payslip, today)
            self._emit(tx, events)
            return contract.SalaryPayoutOut().dump(payout)

    @rpc
    def guarantee_fund_status(self):
        self.caller.require_role("staff", "board")
        with self.uow() as tx:
            return contract.FundStatusOut().dump(fund.status(tx.session))

    # ---- dunning ----

    @rpc
    def run_dunning(self, payload=None):
        data = load(schemas.DunningRun(), payload or {})
        self.caller.require_role("staff")
        return self._dun(data["as_of"] or self._today())

    @configured_timer("DUNNING_INTERVAL", default=3600)
    def dunning_tick(self):
        self._dun(self._today())

    def _dun(self, today: dt.date) -> dict:
        with self.uow() as tx:
            candidates = dunning.overdue(tx.session, today)
        counts = {"invoice_overdue": 0, "invoice_written_off": 0}
        for invoice_id in candidates:
            # one transaction per invoice: a failure or a concurrent run touches only that one
            with self.uow() as tx:
                events = dunning.dun(tx.session, invoice_id, today)
                self._emit(tx, events)
            for event in events:
                counts[event.event_type] += 1
        return contract.DunningSummaryOut().dump({"as_of": today, "reminders": counts["invoice_overdue"],
                                                  "written_off": counts["invoice_written_off"]})

    @rpc
    def member_standing(self, member_id):
        """What billing's projection knows of a member (for support and tests)."""
        ref = load(schemas.MemberRef(), {"member_id": member_id})
        self.caller.require_self_or_role(ref["member_id"], "staff")
        with self.uow() as tx:
            return contract.MemberStandingOut().dump(members.standing(tx.session, ref["member_id"]))

    # ---- events consumed (membership's, by MemberStandingHandlers) ----

    @handle_event("resources", "usage_recorded",
                  takes=("usage_id", "activity_id", "amount", "resource_id", "hours", "ended_at"))
    def on_usage_recorded(self, event):
        data = event.load()
        with self.uow() as tx:
            charged = activities.charge_usage(tx.session, data, event.occurred_at.date())
            self._emit(tx, [charged] if charged else [])

    # ---- helpers ----

    def _count_issued(self, issued):
        if issued:
            INVOICES_ISSUED.labels(issued[0].series).inc(len(issued))
            INVOICED_AMOUNT.inc(float(sum(i.total_net for i in issued)))

    def _today(self) -> dt.date:
        return clock.today()

    def _series(self, kind: str) -> str:
        return self.config.get(f"{kind}_SERIES", "F" if kind == "INVOICE" else "C")

    @staticmethod
    def _emit(tx, events):
        for event in events:
            tx.emit(event.event_type, event.data, aggregate_id=event.aggregate_id)

    def _own_activity(self, session, activity_id):
        activity = activities.get(session, activity_id)
        self.caller.require_self_or_role(activity.member_id, "staff")
        return activity

    def _own_invoice(self, session, invoice_id):
        invoice = invoices.get(session, invoice_id)
        self.caller.require_self_or_role(invoice.member_id, "staff")
        return invoice

    def _document(self, invoice_id):
        ref = load(schemas.InvoiceRef(), {"invoice_id": invoice_id})
        with self.uow() as tx:
            document = self._own_invoice(tx.session, ref["invoice_id"])
            if document.status == "draft":
                raise rule_broken("invoice_id", "a draft has no document yet")
            client = clients.get(tx.session, document.client_id)
            credited = invoices.get(tx.session, document.credited_invoice_id) \
                if document.credited_invoice_id else None
            return document, client, credited
