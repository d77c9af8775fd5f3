"""The minutes of an assembly: attendance, proxies, quorum and each result, as a record and a PDF
to be signed by the chair and the secretary."""
import base64

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.governance.domain.assemblies import get_assembly, items_of, presence, proxies_of
from services.governance.domain.roll import roll_totals
from services.governance.models import Attendance, RollEntry


def assembly_minutes(session: Session, assembly_id: str) -> dict:
    assembly = get_assembly(session, assembly_id)
    present = session.execute(
        select(Attendance.member_id, RollEntry.number)
        .join(RollEntry, (RollEntry.assembly_id == Attendance.assembly_id)
              & (RollEntry.member_id == Attendance.member_id))
        .where(Attendance.assembly_id == assembly_id).order_by(RollEntry.number)).all()
    return {
        "assembly": {
            "id": assembly.id, "kind": assembly.kind, "title": assembly.title,
            "meeting_date": assembly.meeting_date.isoformat(), "place": assembly.place,
            "online": assembly.online, "record_date": assembly.record_date.isoformat(),
            "convened_on": assembly.convened_on.isoformat(), "sitting": assembly.sitting,
            "weighting": assembly.weighting,
        },
        "roll": roll_totals(session, assembly_id),
        "attendance": [{"member_id": m, "number": n} for m, n in present],
        "presence": presence(session, assembly_id),
        "proxies": [{"grantor_id": p.grantor_id, "holder_id": p.holder_id,
                     "granted_at": p.granted_at.isoformat(),
                     "revoked_at": p.revoked_at.isoformat() if p.revoked_at else None,
                     "revoked_reason": p.revoked_reason} for p in proxies_of(session, assembly_id)],
        "items": [{"position": i.position, "kind": i.kind, "title": i.title, "status": i.status,
                   "majority": i.majority, "quorum": i.quorum, "secret": i.secret,
                   "result": i.result} for i in items_of(session, assembly_id)],
        "signatures": {"chair_id": assembly.chair_id, "secretary_id": assembly.secretary_id},
    }


def _latin1(text) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _result_line(item: dict) -> str:
    result = item["result"]
    if item["kind"] == "information":
        return "Information, not voted."
    if result is None:
        return f"Not voted ({item['status']})."
    quorum = f"quorum {result['quorum_rule']}: {'met' if result['quorum_met'] else 'NOT met'}"
    if item["kind"] == "resolution":
        tally = result["tally"]
        outcome = "ADOPTED" if result["adopted"] else "REJECTED"
        return (f"{outcome} ({result['majority']} majority; {quorum}). For {tally['for']}, "
                f"against {tally['against']}, abstentions {tally['abstain']}, blank {tally['blank']}; "
                f"votes cast {result['votes_cast']}.")
    elected = ", ".join(f"member {e['member_id'][:8]} ({e['votes']} votes, until {e['ends_on']})"
                        for e in result["elected"]) or "nobody"
    tie = f" Tie broken by {result['tie_break']}." if result["tie_broken"] else ""
    return f"Elected to {result['seats']} seat(s): {elected} ({quorum}).{tie}"


def minutes_pdf(minutes: dict) -> str:
    """The minutes as a PDF, base64-encoded for the wire."""
    a = minutes["assembly"]
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin1(f"Minutes - {a['title']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    where = a["place"] or ""
    if a["online"]:
        where = (where + " and online").strip()
    lines = [
        f"{a['kind'].capitalize()} general assembly ({'second' if a['sitting'] == 2 else 'first'} meeting) "
        f"held on {a['meeting_date']}{' at ' + where if where else ''}; convened on {a['convened_on']}.",
        f"Electoral roll at the record date {a['record_date']}: {minutes['roll']['members']} members, "
        f"{minutes['roll']['paid_shares']} paid shares; votes weighted {a['weighting'].replace('_', ' ')}.",
        f"Present: {minutes['presence']['present']['members']} members; represented by proxy: "
        f"{minutes['presence']['represented']['members']}.",
        f"Proxies given: {sum(1 for p in minutes['proxies'] if p['revoked_at'] is None)} in force, "
        f"{sum(1 for p in minutes['proxies'] if p['revoked_at'])} revoked.",
    ]
    for line in lines:
        pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    for item in minutes["items"]:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, _latin1(f"{item['position']}. {item['title']}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, _latin1(_result_line(item)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.cell(90, 6, "The chair", new_x="RIGHT")
    pdf.cell(90, 6, "The secretary", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.cell(90, 6, "______________________", new_x="RIGHT")
    pdf.cell(90, 6, "______________________", new_x="LMARGIN", new_y="NEXT")
    return base64.b64encode(bytes(pdf.output())).decode()
