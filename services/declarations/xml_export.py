"""The files handed to the authorities' portals: Intervat-style VAT XML, structured XML for
Dimona, DmfA and the 274. Personal data (the worker's NISS) is not held by this service:
workers are identified by their member id, which the submitting operator resolves."""
import datetime as dt
from decimal import Decimal

from lxml import etree

from services.declarations.domain import periods
from services.declarations.models import Declaration

VAT_NS = "http://www.minfin.fgov.be/VATConsignment"
COMMON_NS = "http://www.minfin.fgov.be/InputCommon"
COOP_NS = "urn:coop-platform:declarations:1"


def _text(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _sub(parent, tag, value=None, **attributes):
    element = etree.SubElement(parent, tag, {k: _text(v) for k, v in attributes.items()})
    if value is not None:
        element.text = _text(value)
    return element


def _serialise(root) -> str:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


def vat_return(declaration: Declaration, content: dict, declarant_vat: str) -> str:
    year, month, months = periods.parse(declaration.period)
    root = etree.Element(f"{{{VAT_NS}}}VATConsignment", nsmap={None: VAT_NS, "common": COMMON_NS},
                         VATDeclarationsNbr="1")
    body = _sub(root, f"{{{VAT_NS}}}VATDeclaration", SequenceNumber="1",
                DeclarantReference=declaration.id)
    declarant = _sub(body, f"{{{VAT_NS}}}Declarant")
    _sub(declarant, f"{{{COMMON_NS}}}VATNumber", declarant_vat.removeprefix("BE"))
    period = _sub(body, f"{{{VAT_NS}}}Period")
    if months == 3:
        _sub(period, f"{{{VAT_NS}}}Quarter", (month + 2) // 3)
    else:
        _sub(period, f"{{{VAT_NS}}}Month", month)
    _sub(period, f"{{{VAT_NS}}}Year", year)
    data = _sub(body, f"{{{VAT_NS}}}Data")
    for grid, amount in sorted(content["totals"].items()):
        if amount != 0:
            _sub(data, f"{{{VAT_NS}}}Amount", amount, GridNumber=grid)
    _sub(body, f"{{{VAT_NS}}}ClientListingNihil", "NO")
    _sub(body, f"{{{VAT_NS}}}Ask", Restitution="NO", Payment="NO")
    return _serialise(root)


def _header(tag: str, declaration: Declaration, employer_number: str):
    root = etree.Element(f"{{{COOP_NS}}}{tag}", nsmap={None: COOP_NS},
                         id=declaration.id, period=declaration.period)
    _sub(root, f"{{{COOP_NS}}}EmployerNumber", employer_number)
    _sub(root, f"{{{COOP_NS}}}DueDate", declaration.due_date)
    return root


def withholding_return(declaration: Declaration, content: dict, employer_number: str) -> str:
    root = _header("WithholdingTaxReturn274", declaration, employer_number)
    totals = _sub(root, f"{{{COOP_NS}}}Totals")
    for code, tag in (("gross", "GrossPay"), ("taxable", "TaxableIncome"),
                      ("withholding_tax", "WithholdingTax")):
        _sub(totals, f"{{{COOP_NS}}}{tag}", content["totals"][code])
    return _serialise(root)


def dmfa(declaration: Declaration, content: dict, employer_number: str) -> str:
    root = _header("DmfA", declaration, employer_number)
    for worker in content["workers"]:
        line = _sub(root, f"{{{COOP_NS}}}WorkerLine", WorkerCode=worker["worker_code"],
                    Regime=worker["regime"])
        _sub(line, f"{{{COOP_NS}}}WorkerReference", worker["member_id"])
        for occupation in worker["occupations"]:
            item = _sub(line, f"{{{COOP_NS}}}Occupation", Reference=occupation["payout_id"])
            _sub(item, f"{{{COOP_NS}}}StartDate", occupation["first_work_date"])
            _sub(item, f"{{{COOP_NS}}}EndDate", occupation["last_work_date"])
            _sub(item, f"{{{COOP_NS}}}Days", occupation["days"])
            _sub(item, f"{{{COOP_NS}}}GrossPay", occupation["gross"])
            _sub(item, f"{{{COOP_NS}}}EmployeeContributions", occupation["employee_contributions"])
            _sub(item, f"{{{COOP_NS}}}EmployerContributions", occupation["employer_contributions"])
    return _serialise(root)


def dimona(declaration: Declaration, content: dict, employer_number: str) -> str:
    facts = content["dimona"]
    root = _header("Dimona", declaration, employer_number)
    _sub(root, f"{{{COOP_NS}}}Action", facts["action"])
    _sub(root, f"{{{COOP_NS}}}WorkerReference", facts["member_id"])
    _sub(root, f"{{{COOP_NS}}}WorkerType", facts["worker_type"])
    _sub(root, f"{{{COOP_NS}}}StartDate", facts["start_date"])
    _sub(root, f"{{{COOP_NS}}}EndDate", facts["end_date"])
    _sub(root, f"{{{COOP_NS}}}Reference", facts["payout_id"])
    return _serialise(root)


def export(declaration: Declaration, content: dict, config: dict) -> str:
    employer = str(config.get("EMPLOYER_NUMBER", ""))
    if declaration.kind == "vat":
        return vat_return(declaration, content, str(config.get("DECLARANT_VAT_NUMBER", "")))
    if declaration.kind == "withholding":
        return withholding_return(declaration, content, employer)
    if declaration.kind == "dmfa":
        return dmfa(declaration, content, employer)
    return dimona(declaration, content, employer)
