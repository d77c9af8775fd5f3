"""Activities, clients, invoices, payments, expenses, salaries and the guarantee fund."""
from services.gateway.api import api, read_json, read_text
from services.gateway.routes import Routes, b64_download, download
from services.gateway.schemas import billing as B
from shared.contracts import billing

STAFF = ("staff",)


class BillingRoutes(Routes):

    def _invoice(self, invoice_id: str) -> dict:
        return self._fetch_owned(self.billing.get_invoice, invoice_id, "invoice", STAFF)

    # ---- activities ----
    @api("POST", "/api/v1/members/<member_id>/activities", body=B.ActivityName, response=billing.ActivityOut,
         status=201, summary="Open an activity (a budget account)")
    def open_activity(self, request, member_id):
        return self.billing.open_activity({**read_json(request), "member_id": self._own(member_id, STAFF)})

    @api("GET", "/api/v1/activities/<activity_id>", response=billing.ActivityOut,
         summary="An activity and its balance")
    def get_activity(self, request, activity_id):
        return self._activity(activity_id)

    @api("PUT", "/api/v1/activities/<activity_id>/name", body=B.ActivityName, response=billing.ActivityOut,
         summary="Rename an activity")
    def rename_activity(self, request, activity_id):
        self._activity(activity_id)
        return self.billing.rename_activity({**read_json(request), "activity_id": activity_id})

    @api("POST", "/api/v1/activities/<activity_id>/closure",
         response=billing.ActivityOut, summary="Close an activity")
    def close_activity(self, request, activity_id):
        self._activity(activity_id)
        return self.billing.close_activity(activity_id)

    @api("GET", "/api/v1/activities/<activity_id>/statement", query=B.StatementQuery,
         response=billing.StatementOut,
         summary="An activity's ledger between two dates")
    def activity_statement(self, request, activity_id):
        self._activity(activity_id)
        return self.billing.activity_statement({**self._query(request), "activity_id": activity_id})

    # ---- clients ----
    @api("POST", "/api/v1/clients", body=B.ClientRegistration, response=billing.ClientOut, status=201,
         summary="Register a client")
    def register_client(self, request):
        return self.billing.register_client(read_json(request))

    @api("GET", "/api/v1/clients/<client_id>", response=billing.ClientOut,
         summary="A client the caller registered or has invoiced (staff: any)")
    def get_client(self, request, client_id):
        return self._fetch(self.billing.get_client, client_id, "client")

    # ---- invoices and credit notes ----
    @api("POST", "/api/v1/activities/<activity_id>/invoices", body=B.InvoiceDraft,
         response=billing.InvoiceOut,
         status=201, summary="Draft an invoice on an activity")
    def create_invoice(self, request, activity_id):
        self._activity(activity_id)
        return self.billing.create_invoice({**read_json(request), "activity_id": activity_id})

    @api("GET", "/api/v1/invoices", query=B.InvoiceQuery, response=billing.InvoiceOut(many=True),
         summary="Invoices and credit notes (a member sees those of their own activities)")
    def list_invoices(self, request):
        query = self._query(request)
        if not self.caller.has_role(*STAFF):
            query["member_id"] = self.caller.member_id
        return self.billing.list_invoices(query)

    @api("GET", "/api/v1/invoices/<invoice_id>",
         response=billing.InvoiceOut, summary="An invoice or credit note")
    def get_invoice(self, request, invoice_id):
        return self._invoice(invoice_id)

    @api("POST", "/api/v1/invoices/<invoice_id>/lines", body=B.InvoiceLine, response=billing.InvoiceOut,
         status=201, summary="Add a line to a draft invoice")
    def add_invoice_line(self, request, invoice_id):
        self._invoice(invoice_id)
        return self.billing.add_invoice_line({**read_json(request), "invoice_id": invoice_id})

    @api("POST", "/api/v1/invoices/<invoice_id>/issue", response=billing.InvoiceOut,
         summary="Issue a draft: it gets its number and is sent")
    def issue_invoice(self, request, invoice_id):
        self._invoice(invoice_id)
        return self.billing.issue_invoice(invoice_id)

    @api("POST", "/api/v1/invoices/<invoice_id>/credit-notes", body=B.CreditRequest,
         response=billing.InvoiceOut,
         status=201, summary="Credit all or part of an issued invoice")
    def credit_invoice(self, request, invoice_id):
        self._invoice(invoice_id)
        return self.billing.credit_invoice({**read_json(request), "invoice_id": invoice_id})

    @api("GET", "/api/v1/invoices/<invoice_id>.pdf", content_type="application/pdf",
         summary="The invoice as PDF")
    def invoice_pdf(self, request, invoice_id):
        self._invoice(invoice_id)
        document = self.billing.invoice_pdf(invoice_id)
        return b64_download(document["content_base64"], "application/pdf", document["filename"])

    @api("GET", "/api/v1/invoices/<invoice_id>.xml", content_type="application/xml",
         summary="The invoice as UBL 2.1 (Peppol BIS Billing 3.0)")
    def invoice_ubl(self, request, invoice_id):
        self._invoice(invoice_id)
        document = self.billing.invoice_ubl(invoice_id)
        return download(document["xml"], "application/xml", document["filename"])

    # ---- payments (staff) ----
    @api("POST", "/api/v1/payments", body=B.PaymentRecord, response=billing.PaymentOut, status=201,
         summary="Record a payment received (staff)")
    def record_payment(self, request):
        self._require(*STAFF)
        return self.billing.record_payment(read_json(request))

    @api("POST", "/api/v1/bank-statements", accepts="application/xml", response=billing.ImportSummary,
         status=201, max_body=20_000_000, summary="Import a camt.053 bank statement (staff)")
    def import_bank_statement(self, request):
        self._require(*STAFF)
        return self.billing.import_bank_statement({"statement": read_text(request)})

    @api("GET", "/api/v1/payments/unmatched", query=B.PageQuery, response=billing.PaymentOut(many=True),
         summary="Payments waiting to be matched by hand (staff)")
    def unmatched_payments(self, request):
        self._require(*STAFF)
        return self.billing.unmatched_payments(self._query(request))

    @api("POST", "/api/v1/payments/<payment_id>/match", body=B.PaymentMatch, response=billing.PaymentOut,
         summary="Match a payment to an invoice (staff)")
    def match_payment(self, request, payment_id):
        self._require(*STAFF)
        return self.billing.match_payment({**read_json(request), "payment_id": payment_id})

    @api("POST", "/api/v1/dunning-runs", body=B.DunningRun, response=billing.DunningSummaryOut, status=201,
         summary="Send the reminders due and write off what is lost, now (staff; a timer does it hourly)")
    def run_dunning(self, request):
        self._require(*STAFF)
        return self.billing.run_dunning(read_json(request))

    # ---- expenses, salaries, the guarantee fund ----
    @api("POST", "/api/v1/activities/<activity_id>/expenses", body=B.ExpenseSubmission,
         response=billing.ExpenseOut,
         status=201, summary="Submit an expense paid from an activity")
    def submit_expense(self, request, activity_id):
        self._activity(activity_id)
        return self.billing.submit_expense({**read_json(request), "activity_id": activity_id})

    @api("POST", "/api/v1/expenses/<expense_id>/decision", body=B.ExpenseDecision,
         response=billing.ExpenseOut,
         summary="Approve or refuse an expense (staff)")
    def decide_expense(self, request, expense_id):
        self._require(*STAFF)
        return self.billing.decide_expense({**read_json(request), "expense_id": expense_id})

    @api("POST", "/api/v1/activities/<activity_id>/salary-requests", body=B.SalaryRequest,
         response=billing.SalaryPayoutOut, status=201, summary="Turn an activity's budget into salary")
    def request_salary(self, request, activity_id):
        self._activity(activity_id)
        return self.billing.request_salary({**read_json(request), "activity_id": activity_id})

    @api("GET", "/api/v1/guarantee-fund", response=billing.FundStatusOut,
         summary="What the guarantee fund advanced, recovered and lost (staff, board)")
    def guarantee_fund_status(self, request):
        self._require("staff", "board")
        return self.billing.guarantee_fund_status()
