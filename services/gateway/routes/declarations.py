"""Payslip simulation (any member) and declarations (staff)."""
from services.gateway.api import api, read_json
from services.gateway.routes import Routes, download
from services.gateway.schemas import declarations as D
from shared.errors import ValidationError

STAFF = ("staff",)
RETURNS = {"vat": "vat_return", "withholding": "withholding_return", "dmfa": "dmfa"}


class DeclarationRoutes(Routes):

    @api("POST", "/api/v1/payslips/simulation", body=D.PayslipRequest, response=D.Payslip,
         summary="What a gross salary or an employment budget gives net, by the official 2026 method")
    def simulate_payslip(self, request):
        return self.declarations.compute_payslip(read_json(request))

    @api("GET", "/api/v1/parameters/<name>", query=D.OnQuery, response=D.Parameter,
         summary="A legal parameter's value on a date, and its history")
    def get_parameter(self, request, name):
        return self.declarations.get_parameter(name, self._query(request).get("on"))

    @api("PUT", "/api/v1/parameters/<name>", body=D.ParameterChange, response=D.Parameter,
         summary="Record a new value of a legal parameter from a date (staff)")
    def set_parameter(self, request, name):
        self._require(*STAFF)
        return self.declarations.set_parameter({**read_json(request), "name": name})

    @api("GET", "/api/v1/declarations", query=D.DeclarationQuery, response=D.Declaration(many=True),
         summary="Declarations filed or to file (staff)")
    def list_declarations(self, request):
        self._require(*STAFF)
        return self.declarations.list_declarations(self._query(request))

    @api("POST", "/api/v1/declarations", body=D.PeriodicReturn, response=D.Declaration, status=201,
         summary="Open (and optionally prepare) a VAT, withholding-tax or DmfA return (staff)")
    def open_return(self, request):
        self._require(*STAFF)
        body = read_json(request)
        method = RETURNS.get(body.pop("kind", None))
        if method is None:
            raise ValidationError("unknown kind", {"kind": ["one of: " + ", ".join(RETURNS)]})
        return getattr(self.declarations, method)(body)

    @api("GET", "/api/v1/declarations/<declaration_id>", response=D.Declaration,
         summary="A declaration and its content (staff)")
    def get_declaration(self, request, declaration_id):
        self._require(*STAFF)
        return self.declarations.get_declaration(declaration_id)

    @api("GET", "/api/v1/declarations/<declaration_id>/export", content_type="application/xml",
         summary="The declaration's XML file as filed (staff)")
    def export_declaration(self, request, declaration_id):
        self._require(*STAFF)
        exported = self.declarations.export_declaration(declaration_id)
        return download(exported["file"], "application/xml", f"{exported['declaration_id']}.xml")

    @api("POST", "/api/v1/declarations/<declaration_id>/readiness", response=D.Declaration,
         summary="Mark a declaration ready to file (staff)")
    def mark_ready(self, request, declaration_id):
        self._require(*STAFF)
        return self.declarations.mark_ready(declaration_id)

    @api("POST", "/api/v1/declarations/deadline-checks", body=D.DeadlineCheck, response=D.Alert(many=True),
         summary="Raise the due and overdue alerts now (staff; a timer does it hourly)")
    def check_deadlines(self, request):
        self._require(*STAFF)
        return self.declarations.check_deadlines(read_json(request))

    @api("POST", "/api/v1/declarations/<declaration_id>/submission", body=D.Submission,
         response=D.Declaration, summary="Record that a declaration was filed (staff)")
    def mark_submitted(self, request, declaration_id):
        self._require(*STAFF)
        return self.declarations.mark_submitted({**read_json(request), "declaration_id": declaration_id})

    @api("POST", "/api/v1/declarations/<declaration_id>/outcome", body=D.Outcome, response=D.Declaration,
         summary="Record the authority's answer (staff)")
    def record_outcome(self, request, declaration_id):
        self._require(*STAFF)
        return self.declarations.record_outcome({**read_json(request), "declaration_id": declaration_id})
