"""A member's whole story, driven over HTTP with every service running as its own process."""
import datetime as dt

from tests.gateway.conftest import PASSWORD

TODAY = dt.date.today()
CLIENT = {"kind": "company", "name": "Brasserie Cantillon", "vat_number": "BE 0403.019.261",
          "country": "BE", "street": "Rue Gheude 56", "city": "Anderlecht", "postal_code": "1070",
          "email": "ap@example.be"}


def test_a_member_applies_invoices_is_paid_books_and_votes_over_http(platform, backend):
    http, admin = platform.http, platform.admin
    assert http("GET", "/health").json()["status"] == "ok"

    # apply, set a password, subscribe one share, staff records the payment, the board admits
    ada_id, ada = platform.member("Ada")
    standing = http("GET", f"/api/v1/members/{ada_id}/standing", ada).json()
    assert standing["status"] == "admitted" and standing["paid_shares"] == 1 and standing["good_standing"]
    assert http.token(http("GET", f"/api/v1/members/{ada_id}", ada).json()["email"], PASSWORD)
    certificate = http("GET", f"/api/v1/members/{ada_id}/share-certificate.pdf", ada)
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF"), certificate.text

    # an activity (billing learns of the admission from membership's event), a client, an invoice
    activity = platform.eventually("POST", f"/api/v1/members/{ada_id}/activities", ada,
                                   json={"name": "Concerts"}).json()
    assert activity["member_id"] == ada_id and activity["balance"] == "0.00"
    client = http("POST", "/api/v1/clients", ada, json=CLIENT)
    assert client.status_code == 201, client.text
    draft = http("POST", f"/api/v1/activities/{activity['id']}/invoices", ada, json={
        "client_id": client.json()["id"], "lines": [
            {"description": "Concert", "quantity": "1", "unit_price": "1000.00", "vat_category": "S",
             "vat_rate": "21"}]})
    assert draft.status_code == 201, draft.text
    invoice_id = draft.json()["id"]
    line = http("POST", f"/api/v1/invoices/{invoice_id}/lines", ada, json={
        "description": "Sound engineer", "quantity": "2", "unit_price": "150.00", "vat_category": "S",
        "vat_rate": "21"})
    assert line.status_code == 201 and line.json()["total_net"] == "1300.00", line.text
    issued = http("POST", f"/api/v1/invoices/{invoice_id}/issue", ada).json()
    assert issued["status"] == "issued" and issued["number"]
    assert issued["total_vat"] == "273.00" and issued["total_gross"] == "1573.00"
    pdf = http("GET", f"/api/v1/invoices/{invoice_id}.pdf", ada)
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    ubl = http("GET", f"/api/v1/invoices/{invoice_id}.xml", ada)
    assert ubl.headers["Content-Type"].startswith("application/xml") and b"<cbc:PayableAmount" in ubl.content
    assert [i["id"] for i in http("GET", "/api/v1/invoices", ada).json()] == [invoice_id]

    # staff records the client's payment: the invoice is paid, the activity credited
    payment = http("POST", "/api/v1/payments", admin, json={
        "amount": "1573.00", "value_date": TODAY.isoformat(), "invoice_id": invoice_id})
    assert payment.status_code == 201, payment.text
    assert http("GET", f"/api/v1/invoices/{invoice_id}", ada).json()["status"] == "paid"
    credited = http("GET", f"/api/v1/activities/{activity['id']}", ada).json()
    assert float(credited["balance"]) > 0

    # a salary request: billing asks declarations for the payslip
    payout = http("POST", f"/api/v1/activities/{activity['id']}/salary-requests", ada, json={
        "work_dates": [TODAY.isoformat()], "amount": "500.00"})
    assert payout.status_code == 201, payout.text
    figures = payout.json()
    assert figures["employment_budget"] == "500.00" and figures["member_id"] == ada_id
    # 500.00 = 400.00 gross + 25% employer contributions; at 400.00 the work bonus gives back every
    # employee contribution (52.28) and the key formula leaves no tax: net = gross
    assert (figures["gross"], figures["net"]) == ("400.00", "400.00")

    # a booking of a room, charged to the activity (resources learns of both from events)
    room = http("POST", "/api/v1/resources", admin, json={
        "name": "Rehearsal room", "kind": "room", "price_per_hour": "12.00"})
    assert room.status_code == 201, room.text
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(minute=0, second=0,
                                                                             microsecond=0)
    booking = platform.eventually("POST", "/api/v1/bookings", ada, json={
        "resource_id": room.json()["id"], "activity_id": activity["id"],
        "start": start.isoformat(), "end": (start + dt.timedelta(hours=2)).isoformat()}).json()
    assert booking["status"] == "confirmed" and booking["member_id"] == ada_id
    mine = http("GET", f"/api/v1/members/{ada_id}/bookings", ada).json()
    assert [b["id"] for b in mine] == [booking["id"]]

    # a general assembly: the board convenes it, Ada votes, the result and her receipt check out
    convened = http("POST", "/api/v1/assemblies", admin, json={
        "kind": "ordinary", "title": "Ordinary general assembly", "online": True,
        "meeting_date": (TODAY + dt.timedelta(days=20)).isoformat(),
        "record_date": TODAY.isoformat(),
        "agenda": [{"kind": "resolution", "title": "Approve the annual accounts"}]})
    assert convened.status_code == 201, convened.text
    item_id = convened.json()["agenda"][0]["id"]
    opened = platform.eventually("POST", f"/api/v1/votes/{item_id}/opening", admin)
    assert opened.json()["status"] == "open"
    ballot = http("POST", f"/api/v1/votes/{item_id}/ballots", ada, json={"choice": "for"})
    assert ballot.status_code == 201, ballot.text
    receipt = ballot.json()["receipt"]
    again = http("POST", f"/api/v1/votes/{item_id}/ballots", ada, json={"choice": "against"})
    assert again.status_code == 409
    closed = http("POST", f"/api/v1/votes/{item_id}/closing", admin)
    assert closed.status_code == 200, closed.text
    results = http("GET", f"/api/v1/votes/{item_id}/results", ada).json()
    assert results["status"] == "closed" and results["result"]["adopted"] is True
    assert results["result"]["tally"]["for"] >= 1
    checked = http("POST", f"/api/v1/votes/{item_id}/receipt-checks", ada, json={"receipt": receipt}).json()
    assert checked["in_ballot_box"] is True


def camt053(*entries: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            '<GrpHdr><MsgId>STMT-GW-1</MsgId><CreDtTm>2026-11-27T06:00:00</CreDtTm></GrpHdr>'
            '<Stmt><Id>GW-1</Id><Acct><Id><IBAN>BE71096123456769</IBAN></Id></Acct>'
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>")


def credit(ref: str, amount: str, remittance: str) -> str:
    day = TODAY.isoformat()
    return (f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
            f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
            f"<NtryDtls><TxDtls><RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>")


def test_staff_imports_a_bank_statement_matches_by_hand_and_decides_expenses_over_http(platform, backend):
    http, admin = platform.http, platform.admin
    bea_id, bea = platform.member("Bea")
    activity = platform.eventually("POST", f"/api/v1/members/{bea_id}/activities", bea,
                                   json={"name": "Workshops"}).json()["id"]
    client = http("POST", "/api/v1/clients", bea, json=CLIENT).json()["id"]
    invoices = []
    for price in ("100.00", "200.00"):
        draft = http("POST", f"/api/v1/activities/{activity}/invoices", bea, json={"client_id": client, "lines": [
            {"description": "Workshop", "quantity": "1", "unit_price": price, "vat_category": "S",
             "vat_rate": "21"}]}).json()
        invoices.append(http("POST", f"/api/v1/invoices/{draft['id']}/issue", bea).json())
    first, second = invoices
    digits = "".join(ch for ch in first["payment_reference"] if ch.isdigit())

    statement = camt053(credit("GW-B-1", "121.00", f"<Ustrd>{first['payment_reference']}</Ustrd>"),
                        credit("GW-B-2", "242.00", "<Ustrd>workshop in May</Ustrd>"))
    assert http("POST", "/api/v1/bank-statements", bea, data=statement.encode(),
                headers={"Content-Type": "application/xml"}).status_code == 403
    imported = http("POST", "/api/v1/bank-statements", admin, data=statement.encode(),
                    headers={"Content-Type": "application/xml"})
    assert imported.status_code == 201, imported.text
    assert imported.json()["matched"] == 1 and imported.json()["unmatched"] == 1 and digits
    assert http("GET", f"/api/v1/invoices/{first['id']}", bea).json()["status"] == "paid"
    [waiting] = http("GET", "/api/v1/payments/unmatched", admin).json()
    assert waiting["amount"] == "242.00"
    matched = http("POST", f"/api/v1/payments/{waiting['id']}/match", admin, json={"invoice_id": second["id"]})
    assert matched.status_code == 200 and matched.json()["invoice_id"] == second["id"], matched.text
    assert http("GET", f"/api/v1/invoices/{second['id']}", bea).json()["status"] == "paid"

    # an expense: the member submits, staff approves; a credit note; figures staff may see
    expense = http("POST", f"/api/v1/activities/{activity}/expenses", bea, json={
        "expense_date": TODAY.isoformat(), "category": "goods", "description": "Markers", "net": "10.00",
        "vat": "2.10", "deductible_vat": "2.10"})
    assert expense.status_code == 201, expense.text
    assert http("POST", f"/api/v1/expenses/{expense.json()['id']}/decision", bea,
                json={"approve": True}).status_code == 403
    decided = http("POST", f"/api/v1/expenses/{expense.json()['id']}/decision", admin, json={"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved", decided.text
    note = http("POST", f"/api/v1/invoices/{second['id']}/credit-notes", bea, json={"reason": "cancelled"})
    assert note.status_code == 201 and note.json()["document_type"] == "credit_note", note.text
    assert note.json()["total_gross"] == "242.00"
    assert http("GET", "/api/v1/guarantee-fund", bea).status_code == 403
    assert http("GET", "/api/v1/guarantee-fund", admin).status_code == 200
    slip = http("POST", "/api/v1/payslips/simulation", bea, json={
        "gross": "3000.00", "worker_category": "employee", "pay_date": TODAY.isoformat()})
    assert slip.status_code == 200 and slip.json()["gross"] == "3000.00"
    assert float(slip.json()["net"]) < 3000 < float(slip.json()["employer_cost"])
    assert http("GET", "/api/v1/declarations", bea).status_code == 403
    assert http("GET", "/api/v1/declarations", admin).status_code == 200
