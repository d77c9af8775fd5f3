"""What each declaration says, computed from its lines: VAT grids, 274 totals, DmfA lines, Dimona."""
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.declarations.models import Declaration, DeclarationLine, Payout

ZERO = Decimal("0.00")
VAT_GRIDS = ("00", "01", "02", "03", "45", "46", "47", "48", "49", "54", "59", "64",
             "81", "82", "83", "71", "72")
# grids of VAT due (XX) and of VAT deductible or to regularise in the declarant's favour (YY)
VAT_DUE_GRIDS = ("54", "55", "56", "57", "61", "63")
VAT_CREDIT_GRIDS = ("59", "62", "64")
# DmfA worker codes per worker category (ONSS structured instructions: 015 manual worker,
# 495 white-collar, 840 student under the solidarity contribution; artists are declared as
# manual workers)
DMFA_WORKER_CODE = {"employee": "495", "blue_collar": "015", "artist": "015", "student": "840"}
DIMONA_WORKER_TYPE = {"employee": "OTH", "blue_collar": "OTH", "artist": "OTH", "student": "STU"}


def totals_by_code(session: Session, declaration: Declaration) -> dict[str, Decimal]:
    rows = session.execute(select(DeclarationLine.code, func.sum(DeclarationLine.amount))
                           .where(DeclarationLine.declaration_id == declaration.id)
                           .group_by(DeclarationLine.code)).all()
    return {code: Decimal(total).quantize(ZERO) for code, total in rows}


def regularisations(session: Session, declaration: Declaration) -> list[dict]:
    rows = session.execute(select(DeclarationLine).where(
        DeclarationLine.declaration_id == declaration.id, DeclarationLine.regularisation.is_(True),
    ).order_by(DeclarationLine.id)).scalars()
    return [{"document_kind": r.document_kind, "document_id": r.document_id,
             "period_of": r.period_of, "code": r.code, "amount": r.amount} for r in rows]


def vat_grids(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    grids = {grid: totals.get(grid, ZERO) for grid in VAT_GRIDS}
    due = sum((totals.get(g, ZERO) for g in VAT_DUE_GRIDS), ZERO)
    credit = sum((totals.get(g, ZERO) for g in VAT_CREDIT_GRIDS), ZERO)
    grids["71"] = max(due - credit, ZERO)
    grids["72"] = max(credit - due, ZERO)
    return grids


def withholding_totals(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    return {code: totals.get(code, ZERO) for code in ("gross", "taxable", "withholding_tax")}


def dmfa_workers(session: Session, declaration: Declaration) -> list[dict]:
    """One worker line per member and contribution regime, holding one occupation per payout."""
    rows = session.execute(
        select(DeclarationLine.member_id, DeclarationLine.regime, DeclarationLine.document_id,
               DeclarationLine.code, func.sum(DeclarationLine.amount))
        .where(DeclarationLine.declaration_id == declaration.id)
        .group_by(DeclarationLine.member_id, DeclarationLine.regime,
                  DeclarationLine.document_id, DeclarationLine.code)).all()
    occupations: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    for member_id, regime, payout_id, code, amount in rows:
        occupations[(member_id, regime, payout_id)][code] += Decimal(amount)
    payouts = {p.payout_id: p for p in session.execute(select(Payout).where(
        Payout.payout_id.in_({key[2] for key in occupations}))).scalars()}
    workers: dict = {}
    for (member_id, regime, payout_id), figures in sorted(occupations.items(), key=lambda i: (
            i[0][0], i[0][1], payouts[i[0][2]].first_work_date, i[0][2])):
        if all(v == 0 for v in figures.values()):
            continue  # a payout cancelled within the same quarter declares nothing
        worker = workers.setdefault((member_id, regime), {
            "member_id": member_id, "regime": regime, "worker_code": DMFA_WORKER_CODE[regime],
            "gross": ZERO, "employee_contributions": ZERO, "employer_contributions": ZERO,
            "days": 0, "occupations": []})
        payout = payouts[payout_id]
        occupation = {"payout_id": payout_id, "first_work_date": payout.first_work_date,
                      "last_work_date": payout.last_work_date, "days": int(figures["days"]),
                      **{code: figures[code].quantize(ZERO) for code in
                         ("gross", "employee_contributions", "employer_contributions")}}
        worker["occupations"].append(occupation)
        for code in ("gross", "employee_contributions", "employer_contributions"):
            worker[code] += occupation[code]
        worker["days"] += occupation["days"]
    return list(workers.values())


def dimona(session: Session, declaration: Declaration) -> dict:
    payout = session.get(Payout, declaration.reference)
    return {"payout_id": payout.payout_id, "member_id": payout.member_id,
            "worker_category": payout.worker_category,
            "worker_type": DIMONA_WORKER_TYPE[payout.worker_category],
            "start_date": payout.first_work_date, "end_date": payout.last_work_date,
            "action": "CANCEL" if declaration.kind == "dimona_cancel" else "IN"}


def content(session: Session, declaration: Declaration) -> dict:
    """The figures of a declaration, by kind."""
    if declaration.kind in ("dimona", "dimona_cancel"):
        return {"dimona": dimona(session, declaration)}
    if declaration.kind == "dmfa":
        return {"workers": dmfa_workers(session, declaration),
                "regularisations": regularisations(session, declaration)}
    totals = totals_by_code(session, declaration)
    figures = vat_grids(totals) if declaration.kind == "vat" else withholding_totals(totals)
    return {"totals": figures, "regularisations": regularisations(session, declaration)}
