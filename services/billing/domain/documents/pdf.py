"""A PDF of an invoice or credit note for people (fpdf2, core fonts)."""
from decimal import Decimal

from fpdf import FPDF

from services.billing.domain.numbering import format_ogm


def _latin(text) -> str:
    return str(text or "").encode("latin-1", "replace").decode("latin-1")


def render_pdf(document, client, cooperative: dict, credited=None) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    title = "INVOICE" if document.document_type == "invoice" else "CREDIT NOTE"
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(f"{title} {document.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    supplier = [cooperative["name"], cooperative.get("street"),
                f"{cooperative.get('postal_code', '')} {cooperative.get('city', '')}",
                f"VAT {cooperative['vat_number']}", f"IBAN {cooperative['iban']}"]
    customer = [client.name, client.street, f"{client.postal_code or ''} {client.city or ''}",
                client.country, f"VAT {client.vat_number}" if client.vat_number else ""]
    for left, right in zip(supplier, customer, strict=False):
        pdf.cell(95, 5, _latin(left))
        pdf.cell(95, 5, _latin(right), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    facts = [f"Issue date: {document.issue_date}"]
    if document.document_type == "invoice":
        facts += [f"Due date: {document.due_date}",
                  f"Structured communication: {format_ogm(document.payment_reference)}"]
    if credited is not None:
        facts.append(f"Credits invoice {credited.number} of {credited.issue_date}")
    for fact in facts:
        pdf.cell(0, 5, _latin(fact), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _table(pdf, ["Description", "Qty", "Unit price", "VAT", "Net"], [80, 20, 30, 25, 30], bold=True)
    for line in document.lines:
        _table(pdf, [line.description[:48], f"{Decimal(line.quantity).normalize():f}",
                     f"{line.unit_price:.2f}", f"{line.vat_category} {line.vat_rate:.2f}%",
                     f"{line.net:.2f}"], [80, 20, 30, 25, 30])
    pdf.ln(3)
    for subtotal in document.vat_breakdown:
        _table(pdf, [f"VAT {subtotal.category} {subtotal.rate:.2f}% on {subtotal.base:.2f}",
                     f"{subtotal.vat:.2f}"], [155, 30])
        if subtotal.exemption_reason:
            pdf.cell(0, 5, _latin(subtotal.exemption_reason), new_x="LMARGIN", new_y="NEXT")
    for label, value in (("Total excluding VAT", document.total_net), ("Total VAT", document.total_vat),
                         ("Total EUR", document.total_gross)):
        _table(pdf, [label, f"{value:.2f}"], [155, 30], bold=label == "Total EUR")
    return bytes(pdf.output())


def _table(pdf, cells, widths, bold=False):
    pdf.set_font("Helvetica", "B" if bold else "", 9)
    for index, (text, width) in enumerate(zip(cells, widths, strict=False)):
        last = index == len(cells) - 1
        pdf.cell(width, 6, _latin(text), border=1, align="R" if index else "L",
                 new_x="LMARGIN" if last else "RIGHT", new_y="NEXT" if last else "TOP")
