"""Reading ISO 20022 camt.053 bank statements (any version: namespaces are matched loosely).

Belgian banks (Febelfin) put the structured communication of a credit in
``RmtInf/Strd/CdtrRefInf`` (``Tp/CdOrPrtry/Cd`` SCOR, ``Tp/Issr`` BBA, ``Ref`` = 12 digits);
payers who type it by hand leave it in ``RmtInf/Ustrd``, with or without ``+++`` and slashes.
"""
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from shared.errors import ValidationError

TYPED_OGM = re.compile(r"(?<!\d)\+{0,3}\**\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*\**\+{0,3}(?!\d)")


@dataclass(frozen=True)
class StatementCredit:
    bank_reference: str
    amount: Decimal
    value_date: dt.date
    structured_reference: str | None
    communication: str | None


def _text(node, path: str) -> str | None:
    found = node.find(path) if node is not None else None
    return found.text.strip() if found is not None and found.text else None


def valid_ogm(digits: str) -> bool:
    return len(digits) == 12 and digits.isdigit() and (int(digits[:10]) % 97 or 97) == int(digits[10:])


def structured_reference(remittance) -> str | None:
    """The OGM/VCS of a remittance block: structured first, then typed by hand."""
    if remittance is None:
        return None
    for ref_info in remittance.iterfind("{*}Strd/{*}CdtrRefInf"):
        code = _text(ref_info, "{*}Tp/{*}CdOrPrtry/{*}Cd")
        issuer = _text(ref_info, "{*}Tp/{*}Issr")
        digits = re.sub(r"\D", "", _text(ref_info, "{*}Ref") or "")
        if (code in (None, "SCOR")) and issuer in (None, "BBA") and valid_ogm(digits):
            return digits
    for line in remittance.iterfind("{*}Ustrd"):
        for match in TYPED_OGM.finditer(line.text or ""):
            digits = "".join(match.groups())
            if valid_ogm(digits):
                return digits
    return None


def parse(document: bytes | str) -> tuple[str, list[StatementCredit]]:
    """The statement's id and its booked credits in EUR, one per transaction."""
    if isinstance(document, str):
        document = document.encode()
    try:
        root = etree.fromstring(document, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ValidationError("not a well-formed XML document", {"statement": [str(exc)]}) from None
    statements = root.findall("{*}BkToCstmrStmt/{*}Stmt")
    if not statements:
        raise ValidationError("not a camt.053 statement", {"statement": ["no BkToCstmrStmt/Stmt"]})
    credits: list[StatementCredit] = []
    for statement in statements:
        statement_id = _text(statement, "{*}Id") or "statement"
        for number, entry in enumerate(statement.iterfind("{*}Ntry"), start=1):
            credits.extend(_entry_credits(statement_id, number, entry))
    return _text(statements[0], "{*}Id") or "", credits


def _entry_credits(statement_id: str, number: int, entry) -> list[StatementCredit]:
    status = _text(entry, "{*}Sts/{*}Cd") or _text(entry, "{*}Sts")
    if _text(entry, "{*}CdtDbtInd") != "CRDT" or _text(entry, "{*}RvslInd") == "true" \
            or status not in (None, "BOOK"):
        return []
    value_date = _date(_text(entry, "{*}ValDt/{*}Dt") or _text(entry, "{*}BookgDt/{*}Dt")
                       or (_text(entry, "{*}ValDt/{*}DtTm") or "")[:10])
    entry_ref = (_text(entry, "{*}AcctSvcrRef") or _text(entry, "{*}NtryRef")
                 or f"{statement_id}/{number}")
    details = entry.findall("{*}NtryDtls/{*}TxDtls")
    if not details:
        details = [None]
    credits = []
    for index, tx in enumerate(details, start=1):
        amount_node = tx.find("{*}Amt") if tx is not None else None
        if amount_node is None or len(details) == 1:
            amount_node = entry.find("{*}Amt")
        if amount_node is None or amount_node.get("Ccy", "EUR") != "EUR":
            continue
        remittance = tx.find("{*}RmtInf") if tx is not None else entry.find("{*}RmtInf")
        tx_ref = _text(tx, "{*}Refs/{*}AcctSvcrRef") if tx is not None else None
        reference = tx_ref or (entry_ref if len(details) == 1 else f"{entry_ref}/{index}")
        ustrd = " ".join(u.text or "" for u in remittance.iterfind("{*}Ustrd")) if remittance is not None else ""
        credits.append(StatementCredit(
            bank_reference=reference[:64], amount=_amount(amount_node.text), value_date=value_date,
            structured_reference=structured_reference(remittance), communication=ustrd[:140] or None))
    return credits


def _amount(text: str | None) -> Decimal:
    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        raise ValidationError("an entry has no valid amount", {"statement": [f"amount {text!r}"]}) from None


def _date(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        raise ValidationError("an entry has no valid date", {"statement": [f"date {text!r}"]}) from None
