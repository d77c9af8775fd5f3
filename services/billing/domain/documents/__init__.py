"""Documents of an invoice or credit note: UBL 2.1 (Peppol BIS Billing 3.0) and a PDF."""
from services.billing.domain.documents.pdf import render_pdf
from services.billing.domain.documents.ubl import render_ubl

__all__ = ["render_pdf", "render_ubl"]
