"""Payslip simulation (any member) and declarations (staff)."""
from services.gateway.api import api, read_json
from services.gateway.routes import Routes, download
from services.gateway.schemas import declarations as D
from shared.contracts import declarations
from shared.errors import ValidationError

STAFF = ("staff",)
RETURNS = {"vat": "vat_return", "withholding": "withholding_return", "dmfa": "dmfa"}


class DeclarationRoutes(Routes):

    @api("POST", "/api/v1/payslips/simulation", body=D.PayslipRequest,
         response=declarations.InversePayslipOut,
         summary="What a gross salary or an employment budget gives net, by the official 2026 method")
    def simulate_payslip(self, request):
        return self.declarations.compute_payslip(read_json(request))

    @api("GET", "/api/v1/declarations", query=D.DeclarationQuery,
         response=declarations.DeclarationOut(many=True),
         summary="Declarations filed or to file (staff)")
    def list_declarations(self, request):
        self._require(*STAFF)
        return self.declarations.list_declarations(self._query(request))

    @api("POST", "/api/v1/declarations", body=D.PeriodicReturn,
         response=declarations.DeclarationDetailOut, status=201,
         summary="Open (and optionally prepare) a VAT, withholding-tax or DmfA return (staff)")
    def open_return(self, request):
        self._require(*STAFF)
        body = read_json(request)
        method = RETURNS.get(body.pop("kind", None))
        if method is None:
            raise ValidationError("unknown kind", {"kind": ["one of: " + ", ".join(RETURNS)]})
        return getattr(self.declarations, method)(body)

    @api("GET", "/api/v1/declarations/<declaration_id>", response=declarations.DeclarationDetailOut,
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

    @api("POST", "/api/v1/declarations/<declaration_id>/readiness",
         response=declarations.DeclarationDetailOut,
         summary="Mark a declaration ready to file (staff)")
    def mark_ready(self, request, declaration_id):
        self._require(*STAFF)
        return self.declarations.mark_ready(declaration_id)

    @api("POST", "/api/v1/declarations/deadline-checks", body=D.DeadlineCheck,
         response=declarations.AlertOut(many=True),
         summary="Raise the due and overdue alerts now (staff; a timer does it hourly)")
    def check_deadlines(self, request):
        self._require(*STAFF)
        return self.declarations.check_deadlines(read_json(request))

    @api("POST", "/api/v1/declarations/<declaration_id>/submission", body=D.Submission,
         response=declarations.DeclarationDetailOut, summary="Record that a declaration was filed (staff)")
    def mark_submitted(self, request, declaration_id):
        self._require(*STAFF)
        return self.declarations.mark_submitted({**read_json(request), "declaration_id": declaration_id})

    @api("POST", "/api/v1/declarations/<declaration_id>/outcome", body=D.Outcome,
         response=declarations.DeclarationDetailOut,
         summary="Record the authority's answer (staff)")
    def record_outcome(self, request, declaration_id):
        self._require(*STAFF)
        return self.declarations.record_outcome({**read_json(request), "declaration_id": declaration_id})
