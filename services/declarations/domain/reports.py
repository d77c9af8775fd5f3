"""What each declaration says, computed from its lines: VAT grids, 274 totals, DmfA lines, Dimona.

The figures are plain functions of the lines' sums and the payouts; ``content`` reads those
facts through the store and hands them over."""
from collections import defaultdict
from decimal import Decimal

from sqlalchemy.orm import Session

from services.declarations.domain import store
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


def totals_by_code(sums: dict[str, Decimal]) -> dict[str, Decimal]:
    """A declaration's sums by code, to the cent."""
    return {code: Decimal(total).quantize(ZERO) for code, total in sums.items()}


def regularisations(regularised: list[DeclarationLine]) -> list[dict]:
    return [{"document_kind": r.document_kind, "document_id": r.document_id,
             "period_of": r.period_of, "code": r.code, "amount": r.amount} for r in regularised]


def vat_grids(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    grids = {grid: totals.get(grid, ZERO) for grid in VAT_GRIDS}
    due = sum((totals.get(g, ZERO) for g in VAT_DUE_GRIDS), ZERO)
    credit = sum((totals.get(g, ZERO) for g in VAT_CREDIT_GRIDS), ZERO)
    grids["71"] = max(due - credit, ZERO)
    grids["72"] = max(credit - due, ZERO)
    return grids


def withholding_totals(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    return {code: totals.get(code, ZERO) for code in ("gross", "taxable", "withholding_tax")}


def dmfa_workers(sums: list[tuple], payouts: dict[str, Payout]) -> list[dict]:
    """One worker line per member and contribution regime, holding one occupation per payout.

    ``sums``: (member_id, regime, payout_id, code, amount) of the DmfA's lines, summed."""
    occupations: dict = defaultdict(lambda: defaultdict(lambda: ZERO))
    for member_id, regime, payout_id, code, amount in sums:
        occupations[(member_id, regime, payout_id)][code] += Decimal(amount)
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


def dimona_facts(payout: Payout, kind: str) -> dict:
    """What a Dimona (``kind`` dimona or dimona_cancel) declares of its payout."""
    return {"payout_id": payout.payout_id, "member_id": payout.member_id,
            "worker_category": payout.worker_category,
            "worker_type": DIMONA_WORKER_TYPE[payout.worker_category],
            "start_date": payout.first_work_date, "end_date": payout.last_work_date,
            "action": "CANCEL" if kind == "dimona_cancel" else "IN"}


def dimona(session: Session, declaration: Declaration) -> dict:
    return dimona_facts(store.payout(session, declaration.reference), declaration.kind)


def content(session: Session, declaration: Declaration) -> dict:
    """The figures of a declaration, by kind."""
    if declaration.kind in ("dimona", "dimona_cancel"):
        return {"dimona": dimona(session, declaration)}
    regularised = regularisations(store.regularisation_lines(session, declaration))
    if declaration.kind == "dmfa":
        sums = store.occupation_sums(session, declaration)
        return {"workers": dmfa_workers(sums, store.payouts(session, {row[2] for row in sums})),
                "regularisations": regularised}
    totals = totals_by_code(store.totals_by_code(session, declaration))
    figures = vat_grids(totals) if declaration.kind == "vat" else withholding_totals(totals)
    return {"totals": figures, "regularisations": regularised}
