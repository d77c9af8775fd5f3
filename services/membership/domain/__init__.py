"""Membership rules, as the cooperative states them (DOMAIN.md, "Members and shares").

Plain functions taking a SQLAlchemy Session and plain data; they raise shared.errors types.
"""
from services.membership.domain.certificate import share_certificate
from services.membership.domain.credentials import check_login, grant_role, hash_password, login_record, set_password
from services.membership.domain.members import (
    admit,
    apply,
    erase_member,
    exclude,
    find_members,
    reinstate,
    resign,
    suspend,
)
from services.membership.domain.records import get_member, member_view
from services.membership.domain.register import register_csv, share_register
from services.membership.domain.shares import (
    holding,
    member_standing,
    record_share_payment,
    request_redemption,
    subscribe_shares,
    transfer_shares,
)

__all__ = [
    "admit", "apply", "check_login", "erase_member", "exclude", "find_members", "get_member",
    "member_view",
    "grant_role", "hash_password", "holding", "login_record", "member_standing", "record_share_payment", "register_csv",
    "reinstate", "request_redemption", "resign", "set_password", "share_certificate", "share_register",
    "subscribe_shares", "suspend", "transfer_shares",
]
