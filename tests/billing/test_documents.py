"""UBL 2.1 Peppol BIS Billing 3.0 and PDF documents, checked against the rules a test can express
(EN 16931 BR-CO-10/13/15, BR-S-08/09, required elements, Peppol identifiers)."""
import base64
from decimal import Decimal as D

import pytest
from lxml import etree
from stdnum.be import ogm_vcs
from stdnum.be import vat as be_vat

from services.billing.domain import clients, invoices
from services.billing.domain.documents import render_pdf, render_ubl
from shared.config import service_config
from tests.billing.conftest import TODAY, line_data

NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
COOPERATIVE = service_config("billing")["COOPERATIVE"]
LINES = [("0.5", "0.69", "21")] * 3 + [("3", "19.99", "6"), ("2.5", "12.35", "12")]


def amount(node, path):
    element = node.find(path, NS)
    assert element is not None, path
    assert element.get("currencyID") == "EUR", path
    assert len(element.text.split(".")[-1]) == 2, f"{path} has two decimals (BR-DEC)"
    return D(element.text)


def text(node, path):
    element = node.find(path, NS)
    assert element is not None, path
    return element.text


def check_en16931(root, line_tag):
    """The calculation rules of EN 16931 that hold for documents without allowances or charges."""
    lines = root.findall(f"cac:{line_tag}", NS)
    assert lines, "BR-16: at least one line"
    line_sum = sum(amount(ln, "cbc:LineExtensionAmount") for ln in lines)
    totals = root.find("cac:LegalMonetaryTotal", NS)
    assert amount(totals, "cbc:LineExtensionAmount") == line_sum  # BR-CO-10
    assert amount(totals, "cbc:TaxExclusiveAmount") == line_sum  # BR-CO-13
    [tax_total] = root.findall("cac:TaxTotal", NS)
    vat = amount(tax_total, "cbc:TaxAmount")
    assert amount(totals, "cbc:TaxInclusiveAmount") == line_sum + vat  # BR-CO-15
    assert amount(totals, "cbc:PayableAmount") == line_sum + vat  # BR-CO-16
    subtotals = tax_total.findall("cac:TaxSubtotal", NS)
    assert sum(amount(s, "cbc:TaxAmount") for s in subtotals) == vat  # BR-CO-14
    for sub in subtotals:
        category, percent = text(sub, "cac:TaxCategory/cbc:ID"), D(text(sub, "cac:TaxCategory/cbc:Percent"))
        base = sum(amount(ln, "cbc:LineExtensionAmount") for ln in lines
                   if text(ln, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == category
                   and D(text(ln, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")) == percent)
        assert amount(sub, "cbc:TaxableAmount") == base  # BR-S-08
        expected = (base * percent / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        assert amount(sub, "cbc:TaxAmount") == expected  # BR-S-09 / BR-CO-17
        assert text(sub, "cac:TaxCategory/cac:TaxScheme/cbc:ID") == "VAT"
    for line in lines:
        quantity = D(line.find("cbc:InvoicedQuantity", NS).text if line_tag == "InvoiceLine"
                     else line.find("cbc:CreditedQuantity", NS).text)
        price = amount(line, "cac:Price/cbc:PriceAmount")
        # PEPPOL-EN16931-R120: line net = quantity x price, within rounding
        assert abs(amount(line, "cbc:LineExtensionAmount") - quantity * price) <= D("0.02")
        assert text(line, "cac:Item/cbc:Name")


def check_parties(root):
    assert text(root, "cbc:CustomizationID") == \
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    assert text(root, "cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert text(root, "cbc:DocumentCurrencyCode") == "EUR"
    assert text(root, "cbc:BuyerReference")  # PEPPOL-EN16931-R003
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    customer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    for party in (supplier, customer):
        endpoint = party.find("cbc:EndpointID", NS)
        assert endpoint.get("schemeID") == "0208"
        # PEPPOL-COMMON-R043: a 0208 identifier is ten digits with a valid mod-97 check
        assert len(endpoint.text) == 10 and be_vat.is_valid(endpoint.text)
        assert text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "BE"
        assert text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
    assert text(supplier, "cac:PartyTaxScheme/cbc:CompanyID") == COOPERATIVE["vat_number"]
    assert text(supplier, "cac:PartyLegalEntity/cbc:RegistrationName") == COOPERATIVE["name"]
    assert text(customer, "cac:PartyTaxScheme/cbc:CompanyID") == "BE0403019261"


@pytest.fixture
def issued(books):
    activity, client_id = books.activity(), books.client()
    invoice_id = books.invoice(activity, client_id, LINES)
    with books.tx() as s:
        note, _ = invoices.credit(s, invoice_id, [line_data("2.5", "12.35", "12", description="Frames")],
                                  "two frames returned", TODAY, "C")
    with books.tx() as s:
        return invoices.get(s, invoice_id), invoices.get(s, note.id), clients.get(s, client_id)


def test_invoice_ubl_is_a_peppol_bis_3_invoice_with_consistent_totals(issued):
    invoice, _, client = issued
    root = etree.fromstring(render_ubl(invoice, client, COOPERATIVE))
    assert etree.QName(root).localname == "Invoice"
    assert etree.QName(root).namespace == "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    check_parties(root)
    check_en16931(root, "InvoiceLine")
    assert (text(root, "cbc:ID"), text(root, "cbc:InvoiceTypeCode")) == ("F-2026-000001", "380")
    assert (text(root, "cbc:IssueDate"), text(root, "cbc:DueDate")) == ("2026-11-26", "2026-12-26")
    means = root.find("cac:PaymentMeans", NS)
    assert text(means, "cbc:PaymentMeansCode") == "30"
    assert ogm_vcs.is_valid(text(means, "cbc:PaymentID"))
    assert text(means, "cbc:PaymentID") == "+++126/0000/00171+++"
    assert text(means, "cac:PayeeFinancialAccount/cbc:ID") == COOPERATIVE["iban"]
    totals = root.find("cac:LegalMonetaryTotal", NS)
    assert amount(totals, "cbc:PayableAmount") == D("99.43")
    assert amount(root, "cac:TaxTotal/cbc:TaxAmount") == D("7.53")


def test_credit_note_ubl_references_the_invoice_and_has_its_own_totals(issued):
    invoice, note, client = issued
    root = etree.fromstring(render_ubl(note, client, COOPERATIVE, credited=invoice))
    assert etree.QName(root).localname == "CreditNote"
    check_parties(root)
    check_en16931(root, "CreditNoteLine")
    assert (text(root, "cbc:ID"), text(root, "cbc:CreditNoteTypeCode")) == ("C-2026-000001", "381")
    assert text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "F-2026-000001"
    assert amount(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == D("34.59")


def test_exempt_lines_carry_their_legal_mention(books):
    activity, client_id = books.activity(), books.client()
    invoice_id = books.invoice(activity, client_id, [("1", "100.00", "21"), ("1", "50.00", "0", "E",
                                                     "Training", "Exempt, art. 44 Belgian VAT Code")])
    with books.tx() as s:
        invoice, client = invoices.get(s, invoice_id), clients.get(s, client_id)
    root = etree.fromstring(render_ubl(invoice, client, COOPERATIVE))
    check_en16931(root, "InvoiceLine")
    [exempt] = [s for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
                if text(s, "cac:TaxCategory/cbc:ID") == "E"]
    assert text(exempt, "cac:TaxCategory/cbc:TaxExemptionReason") == "Exempt, art. 44 Belgian VAT Code"  # BR-E-10
    assert amount(exempt, "cbc:TaxAmount") == D("0.00")


def test_pdf_is_rendered_for_invoice_and_credit_note(issued):
    invoice, note, client = issued
    assert render_pdf(invoice, client, COOPERATIVE).startswith(b"%PDF")
    assert render_pdf(note, client, COOPERATIVE, credited=invoice).startswith(b"%PDF")


def test_documents_over_rpc(platform):
    invoice = platform.invoice(platform.activity(), platform.client())
    ubl = platform.billing.invoice_ubl(invoice["id"])
    assert ubl["filename"] == f"{invoice['number']}.xml"
    root = etree.fromstring(ubl["xml"].encode())
    check_parties(root)
    check_en16931(root, "InvoiceLine")
    pdf = platform.billing.invoice_pdf(invoice["id"])
    assert base64.b64decode(pdf["content_base64"]).startswith(b"%PDF")
