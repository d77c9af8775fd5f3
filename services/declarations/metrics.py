"""Business metrics of the declarations service."""
from shared.metrics import counter

PAYSLIPS = counter("coop_payslips_computed_total", "Payslips computed", ["worker_category"])
DECLARATIONS = counter("coop_declarations_total", "Declarations reaching a state", ["kind", "status"])
ALERTS = counter("coop_declaration_alerts_total", "Deadline alerts raised (due, overdue)", ["kind", "alert"])
