"""The certificate a member gets for the shares registered in their name (fpdf2, core fonts)."""
import base64
import datetime as dt

from fpdf import FPDF
from sqlalchemy.orm import Session

from services.membership.domain.parameters import share_price
from services.membership.domain.records import get_member
from services.membership.domain.register import holder_name, share_register
from shared.errors import rule_broken


def _latin(text) -> str:
    return str(text if text is not None else "").encode("latin-1", "replace").decode("latin-1")


def share_certificate(session: Session, member_id: str, as_of: dt.date) -> dict:
    member = get_member(session, member_id)
    register = share_register(session, as_of, member_id=member.id)
    holder = register["holders"][0] if register["holders"] else None
    if holder is None or holder["paid_shares"] <= 0:
        raise rule_broken("member_id", f"the member holds no paid share on {as_of.isoformat()}")
    price = share_price(session, as_of)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 12, "Certificate of registered cooperative shares", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for line in (f"Holder: {holder_name(member)} (member number {member.number}, class "
                 f"{member.member_class})",
                 f"Paid shares held on {as_of.isoformat()}: {holder['paid_shares']} "
                 f"of nominal value EUR {price:.2f}",
                 "Entries of the share register:"):
        pdf.cell(0, 7, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for entry in holder["entries"]:
        pdf.cell(0, 5, _latin(f"{entry['effective_date'].isoformat()}  {entry['kind']:<13} "
                              f"{entry['shares']:>5} shares  EUR {entry['amount']:.2f}  "
                              f"{entry['reference'] or ''}"), new_x="LMARGIN", new_y="NEXT")
    return {"member_id": member.id, "number": member.number, "holder": holder_name(member),
            "paid_shares": holder["paid_shares"], "as_of": as_of,
            "filename": f"share-certificate-{member.number:06d}-{as_of.isoformat()}.pdf",
            "pdf": base64.b64encode(bytes(pdf.output())).decode("ascii")}
