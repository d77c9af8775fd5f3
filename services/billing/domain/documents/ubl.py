"""Peppol BIS Billing 3.0 UBL 2.1 invoices and credit notes, built with lxml.

The cooperative is the supplier (it invoices in its own name, on the activity's behalf) and
the client the customer. Belgian parties are addressed by their enterprise number under
scheme 0208; the structured communication goes in ``PaymentMeans/PaymentID``.
"""
from decimal import Decimal

from lxml import etree

from services.billing.domain.numbering import format_ogm
from services.billing.domain.totals import ZERO_RATED

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOT_NS = {"invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
           "credit_note": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"}
CREDIT_TRANSFER = "30"


class _Builder:
    def __init__(self, currency: str):
        self.currency = currency

    def cbc(self, parent, tag, text=None, **attrs):
        element = etree.SubElement(parent, f"{{{CBC}}}{tag}", {k: v for k, v in attrs.items() if v})
        if text is not None:
            element.text = str(text)
        return element

    def cac(self, parent, tag):
        return etree.SubElement(parent, f"{{{CAC}}}{tag}")

    def amount(self, parent, tag, value: Decimal):
        return self.cbc(parent, tag, f"{Decimal(value):.2f}", currencyID=self.currency)


def _quantity(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def _percent(value: Decimal) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")).normalize(), "f")


def render_ubl(document, client, cooperative: dict, credited=None) -> bytes:
    """UBL 2.1 XML of an issued invoice (``credited`` None) or credit note (the credited invoice)."""
    kind = document.document_type
    root_name = "Invoice" if kind == "invoice" else "CreditNote"
    root = etree.Element(f"{{{ROOT_NS[kind]}}}{root_name}",
                         nsmap={None: ROOT_NS[kind], "cac": CAC, "cbc": CBC})
    b = _Builder(document.currency)
    b.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(root, "ProfileID", PROFILE_ID)
    b.cbc(root, "ID", document.number)
    b.cbc(root, "IssueDate", document.issue_date.isoformat())
    if kind == "invoice":
        b.cbc(root, "DueDate", document.due_date.isoformat())
        b.cbc(root, "InvoiceTypeCode", "380")
    else:
        b.cbc(root, "CreditNoteTypeCode", "381")
    if document.note:
        b.cbc(root, "Note", document.note)
    b.cbc(root, "DocumentCurrencyCode", document.currency)
    b.cbc(root, "BuyerReference", document.buyer_reference or (credited or document).number)
    if credited is not None:
        reference = b.cac(b.cac(root, "BillingReference"), "InvoiceDocumentReference")
        b.cbc(reference, "ID", credited.number)
        b.cbc(reference, "IssueDate", credited.issue_date.isoformat())
    _supplier(b, b.cac(root, "AccountingSupplierParty"), cooperative)
    _customer(b, b.cac(root, "AccountingCustomerParty"), client)
    if kind == "invoice":
        _payment_means(b, root, document, cooperative)
        b.cbc(b.cac(root, "PaymentTerms"), "Note",
              f"Payment within {document.payment_terms_days} days, by {document.due_date.isoformat()}")
    _tax_total(b, root, document)
    totals = b.cac(root, "LegalMonetaryTotal")
    b.amount(totals, "LineExtensionAmount", sum((ln.net for ln in document.lines), Decimal("0")))
    b.amount(totals, "TaxExclusiveAmount", document.total_net)
    b.amount(totals, "TaxInclusiveAmount", document.total_gross)
    b.amount(totals, "PayableAmount", document.total_gross)
    for line in document.lines:
        _line(b, root, kind, line)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _address(b, party, street, city, postal_code, country):
    address = b.cac(party, "PostalAddress")
    if street:
        b.cbc(address, "StreetName", street)
    if city:
        b.cbc(address, "CityName", city)
    if postal_code:
        b.cbc(address, "PostalZone", postal_code)
    b.cbc(b.cac(address, "Country"), "IdentificationCode", country)


def _supplier(b, holder, coop: dict):
    party = b.cac(holder, "Party")
    b.cbc(party, "EndpointID", coop["enterprise_number"], schemeID="0208")
    b.cbc(b.cac(party, "PartyName"), "Name", coop["name"])
    _address(b, party, coop.get("street"), coop.get("city"), coop.get("postal_code"), coop["country"])
    tax = b.cac(party, "PartyTaxScheme")
    b.cbc(tax, "CompanyID", coop["vat_number"])
    b.cbc(b.cac(tax, "TaxScheme"), "ID", "VAT")
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", coop["name"])
    b.cbc(legal, "CompanyID", coop["enterprise_number"], schemeID="0208")


def _customer(b, holder, client):
    party = b.cac(holder, "Party")
    # a private person has no Peppol address (Peppol carries B2B/B2G invoices; people get the PDF)
    if client.endpoint_id:
        b.cbc(party, "EndpointID", client.endpoint_id, schemeID=client.endpoint_scheme or "0208")
    b.cbc(b.cac(party, "PartyName"), "Name", client.name)
    _address(b, party, client.street, client.city, client.postal_code, client.country)
    if client.vat_number:
        tax = b.cac(party, "PartyTaxScheme")
        b.cbc(tax, "CompanyID", client.vat_number)
        b.cbc(b.cac(tax, "TaxScheme"), "ID", "VAT")
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", client.name)
    if client.enterprise_number:
        b.cbc(legal, "CompanyID", client.enterprise_number, schemeID="0208")
    if client.email:
        b.cbc(b.cac(party, "Contact"), "ElectronicMail", client.email)


def _payment_means(b, root, invoice, coop: dict):
    means = b.cac(root, "PaymentMeans")
    b.cbc(means, "PaymentMeansCode", CREDIT_TRANSFER, name="Credit transfer")
    b.cbc(means, "PaymentID", format_ogm(invoice.payment_reference))
    account = b.cac(means, "PayeeFinancialAccount")
    b.cbc(account, "ID", coop["iban"])
    b.cbc(account, "Name", coop["name"])
    if coop.get("bic"):
        b.cbc(b.cac(account, "FinancialInstitutionBranch"), "ID", coop["bic"])


def _tax_category(b, parent, name, category, rate, reason=None):
    element = b.cac(parent, name)
    b.cbc(element, "ID", category)
    if category != "O":
        b.cbc(element, "Percent", _percent(rate))
    if reason and category in ZERO_RATED and category != "Z":
        b.cbc(element, "TaxExemptionReason", reason)
    b.cbc(b.cac(element, "TaxScheme"), "ID", "VAT")


def _tax_total(b, root, document):
    total = b.cac(root, "TaxTotal")
    b.amount(total, "TaxAmount", document.total_vat)
    for subtotal in document.vat_breakdown:
        sub = b.cac(total, "TaxSubtotal")
        b.amount(sub, "TaxableAmount", subtotal.base)
        b.amount(sub, "TaxAmount", subtotal.vat)
        _tax_category(b, sub, "TaxCategory", subtotal.category, subtotal.rate, subtotal.exemption_reason)


def _line(b, root, kind, line):
    element = b.cac(root, "InvoiceLine" if kind == "invoice" else "CreditNoteLine")
    b.cbc(element, "ID", line.position)
    b.cbc(element, "InvoicedQuantity" if kind == "invoice" else "CreditedQuantity",
          _quantity(line.quantity), unitCode=line.unit_code)
    b.amount(element, "LineExtensionAmount", line.net)
    item = b.cac(element, "Item")
    b.cbc(item, "Name", line.description)
    _tax_category(b, item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    b.amount(b.cac(element, "Price"), "PriceAmount", line.unit_price)
