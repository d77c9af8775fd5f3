"""camt.053 import: structured and typed communications, partial, over- and unmatched payments,
and a statement imported twice changing nothing."""
from decimal import Decimal as D

import pytest

from services.billing.domain import camt, invoices, payments
from shared.errors import Conflict, ValidationError
from tests.billing.conftest import TODAY

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>STMT-2026-331</MsgId><CreDtTm>2026-11-27T06:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>2026-331-BE71096123456769</Id>
   <Acct><Id><IBAN>BE71096123456769</IBAN></Id></Acct>
   {entries}
  </Stmt>
 </BkToCstmrStmt>
</Document>"""


def entry(ref, amount, remittance, indicator="CRDT", details=None):
    tx = details or f"<TxDtls><RmtInf>{remittance}</RmtInf></TxDtls>"
    return f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd><Sts>BOOK</Sts>
      <BookgDt><Dt>2026-11-26</Dt></BookgDt><ValDt><Dt>2026-11-26</Dt></ValDt>
      <AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls>{tx}</NtryDtls></Ntry>"""


def structured(digits):
    return (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>"
            f"<Ref>{digits}</Ref></CdtrRefInf></Strd>")


def ogm(digits):
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def statement(refs):
    a, b, c, d = refs
    batch = (f"<TxDtls><Refs><AcctSvcrRef>B-6-1</AcctSvcrRef></Refs><Amt Ccy=\"EUR\">121.00</Amt>"
             f"<RmtInf><Ustrd>{d[:3]}/{d[3:7]}/{d[7:]}</Ustrd></RmtInf></TxDtls>"
             f"<TxDtls><Refs><AcctSvcrRef>B-6-2</AcctSvcrRef></Refs><Amt Ccy=\"EUR\">5.00</Amt>"
             f"<RmtInf><Ustrd>gift</Ustrd></RmtInf></TxDtls>")
    return TEMPLATE.format(entries="".join([
        entry("B-1", "121.00", structured(a)),                             # matched, structured
        entry("B-2", "50.00", f"<Ustrd>Invoice {ogm(b)} thanks</Ustrd>"),  # partial, typed
        entry("B-3", "30.00", "<Ustrd>for the concert</Ustrd>"),           # unmatched
        entry("B-4", "150.00", f"<Ustrd>{c}</Ustrd>"),                     # overpaid, bare digits
        entry("B-5", "10.00", "<Ustrd>fees</Ustrd>", indicator="DBIT"),   # a debit: not a payment
        entry("B-6", "126.00", None, details=batch),                       # a batch of two credits
    ]))


def four_invoices(books):
    activity, client = books.activity(), books.client()
    ids = [books.invoice(activity, client, [("1", "100.00", "21")]) for _ in range(4)]
    with books.tx() as s:
        return activity, ids, [invoices.get(s, i).payment_reference for i in ids]


def state(books, ids):
    with books.tx() as s:
        return [(i.status, i.amount_paid) for i in (invoices.get(s, x) for x in ids)]


def test_structured_communications_are_read_from_strd_and_typed_ustrd():
    _, credits = camt.parse(statement(["126000000171", "126000000272", "126000000373", "126000000474"]))
    assert [(c.bank_reference, c.amount, c.structured_reference) for c in credits] == [
        ("B-1", D("121.00"), "126000000171"), ("B-2", D("50.00"), "126000000272"),
        ("B-3", D("30.00"), None), ("B-4", D("150.00"), "126000000373"),
        ("B-6-1", D("121.00"), "126000000474"), ("B-6-2", D("5.00"), None)]


def test_a_typed_reference_with_a_wrong_check_digit_is_not_a_reference():
    _, credits = camt.parse(TEMPLATE.format(entries=entry("X", "1.00", "<Ustrd>+++126/0000/00172+++</Ustrd>")))
    assert credits[0].structured_reference is None


def test_statement_import_matches_partial_over_and_unmatched_and_twice_changes_nothing(books):
    activity, ids, refs = four_invoices(books)
    document = statement(refs)
    with books.tx() as s:
        summary, events = payments.import_statement(s, document, TODAY)
    assert {k: summary[k] for k in ("entries", "duplicates", "matched", "partial", "overpaid", "unmatched")} == \
        {"entries": 6, "duplicates": 0, "matched": 2, "partial": 1, "overpaid": 1, "unmatched": 2}
    assert state(books, ids) == [("paid", D("121.00")), ("partially_paid", D("50.00")),
                                 ("paid", D("121.00")), ("paid", D("121.00"))]
    assert [e.event_type for e in events].count("invoice_paid") == 3
    # fees 4 x 6.50; turnover 100 + 41.32 (100 x 50/121) + 100 + 100
    assert books.balance(activity) == D("-26.00") + D("341.32")
    with books.tx() as s:
        again, events = payments.import_statement(s, document, TODAY)
    assert (again["entries"], again["duplicates"], again["payment_ids"], events) == (6, 6, [], [])
    assert state(books, ids)[1] == ("partially_paid", D("50.00"))
    assert books.balance(activity) == D("315.32")
    with books.tx() as s:
        queue = payments.unmatched(s, 10, 0)
        assert sorted(p.amount for p in queue) == [D("5.00"), D("30.00")]
        overpaid = [p for p in s.query(payments.Payment).all() if p.excess > 0]
        assert [(p.applied, p.excess) for p in overpaid] == [(D("121.00"), D("29.00"))]
        thirty = next(p.id for p in queue if p.amount == D("30.00"))
    with books.tx() as s:
        _, events = payments.match(s, thirty, ids[1])
    assert [e.event_type for e in events] == ["payment_matched"]
    assert state(books, ids)[1] == ("partially_paid", D("80.00"))
    with pytest.raises(Conflict), books.tx() as s:
        payments.match(s, thirty, ids[1])


def test_a_document_that_is_not_a_statement_is_refused(books):
    with pytest.raises(ValidationError), books.tx() as s:
        payments.import_statement(s, "<not-xml", TODAY)
    with pytest.raises(ValidationError), books.tx() as s:
        payments.import_statement(s, "<Document><Other/></Document>", TODAY)


def test_statement_import_over_rpc(platform, record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    issued = [platform.invoice(activity, client) for _ in range(4)]
    refs = ["".join(ch for ch in i["payment_reference"] if ch.isdigit()) for i in issued]
    summary = platform.billing.import_bank_statement({"statement": statement(refs)})
    assert (summary["matched"], summary["partial"], summary["overpaid"], summary["unmatched"]) == (2, 1, 1, 2)
    again = platform.billing.import_bank_statement({"statement": statement(refs)})
    assert (again["duplicates"], again["payment_ids"]) == (6, [])
    recorder.wait_for("payment_received", 6)
    recorder.wait_for("invoice_paid", 3)
    queue = platform.billing.unmatched_payments()
    assert sorted(p["amount"] for p in queue) == ["30.00", "5.00"]
    assert platform.billing.get_invoice(issued[1]["id"])["status"] == "partially_paid"
