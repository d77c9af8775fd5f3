"""Governance tables: the members' dated standing, assemblies, the frozen roll, proxies,
ballots, elections, the board, working groups, recommendations and polls.

Secret ballots: ``ballots`` and ``ballot_marks`` hold no member id, no timestamp and no
serial number; their keys are random UUIDs and on SQLite they are WITHOUT ROWID tables, so
nothing orders them the way ``participations`` (who voted) are ordered.
"""
import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import make_base
from shared.parameters import parameter_models

Base = make_base()

Uuid = String(36)


class MemberRecord(Base):
    """What governance knows of a member: ids and numbers from membership events, no personal data."""

    __tablename__ = "members"

    member_id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer)
    member_class: Mapped[str | None] = mapped_column(String(8))
    admitted_on: Mapped[dt.date | None] = mapped_column(Date)


class StandingChange(Base):
    """One dated change of a member's status or paid shares; the roll at a date is read from these."""

    __tablename__ = "standing_changes"
    __table_args__ = (Index("ix_standing_changes_member_date", "member_id", "effective_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(8))  # status | shares
    status: Mapped[str | None] = mapped_column(String(16))
    paid_shares: Mapped[int | None] = mapped_column(Integer)
    # the day the paid shares cover use until (shares rows; NULL from events that did not say)
    covered_until: Mapped[dt.date | None] = mapped_column(Date)
    effective_date: Mapped[dt.date] = mapped_column(Date)
    event_type: Mapped[str] = mapped_column(String(40))


Parameter, ParameterVersion = parameter_models(Base)


class Assembly(Base):
    __tablename__ = "assemblies"

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # ordinary | extraordinary
    title: Mapped[str] = mapped_column(String(200))
    meeting_date: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(Boolean)
    record_date: Mapped[dt.date] = mapped_column(Date)
    convened_on: Mapped[dt.date] = mapped_column(Date)
    sitting: Mapped[int] = mapped_column(Integer)  # 1, or 2 for a second meeting
    first_meeting_id: Mapped[str | None] = mapped_column(ForeignKey("assemblies.id"))
    weighting: Mapped[str] = mapped_column(String(16))  # per_member | shares
    share_cap_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    max_proxies: Mapped[int] = mapped_column(Integer)
    chair_id: Mapped[str | None] = mapped_column(Uuid)
    secretary_id: Mapped[str | None] = mapped_column(Uuid)
    roll_frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    convened_by: Mapped[str | None] = mapped_column(Uuid)


class RollEntry(Base):
    """The electoral roll of an assembly, frozen from the standing history at its record date."""

    __tablename__ = "roll_entries"

    assembly_id: Mapped[str] = mapped_column(ForeignKey("assemblies.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer)
    paid_shares: Mapped[int] = mapped_column(Integer)
    weight: Mapped[int] = mapped_column(Integer)


class Attendance(Base):
    __tablename__ = "attendances"

    assembly_id: Mapped[str] = mapped_column(ForeignKey("assemblies.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    registered_by: Mapped[str | None] = mapped_column(Uuid)


class Proxy(Base):
    """A written proxy for one assembly; revoked, never deleted."""

    __tablename__ = "proxies"
    __table_args__ = (
        # one active proxy per grantor and assembly
        Index("uq_proxies_active_grantor", "assembly_id", "grantor_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
        Index("ix_proxies_holder", "assembly_id", "holder_id"),
    )

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    assembly_id: Mapped[str] = mapped_column(ForeignKey("assemblies.id"))
    grantor_id: Mapped[str] = mapped_column(Uuid)
    holder_id: Mapped[str] = mapped_column(Uuid)
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("assembly_id", "position"),)

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    assembly_id: Mapped[str] = mapped_column(ForeignKey("assemblies.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # resolution | election | information
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    majority: Mapped[str | None] = mapped_column(String(16))
    quorum: Mapped[str | None] = mapped_column(String(16))
    secret: Mapped[bool] = mapped_column(Boolean)
    seats: Mapped[int | None] = mapped_column(Integer)
    term_years: Mapped[int | None] = mapped_column(Integer)
    tie_break: Mapped[str | None] = mapped_column(String(16))  # seniority | lot
    recommendation_id: Mapped[str | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(16))  # pending | open | closed
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict | None] = mapped_column(JSON)


class Participation(Base):
    """That a member took part in an item's vote (themselves or by proxy): one row, ever."""

    __tablename__ = "participations"

    item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    cast_by: Mapped[str] = mapped_column(Uuid)
    # the choice of an open (roll-call) vote; always NULL for a secret ballot
    choice: Mapped[str | None] = mapped_column(String(16))


class Ballot(Base):
    """A ballot in the box: no voter, no time, no serial; ``receipt_hash`` lets its voter find it."""

    __tablename__ = "ballots"
    __table_args__ = (Index("ix_ballots_item_choice", "item_id", "choice"),
                      {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"))
    choice: Mapped[str] = mapped_column(String(16))  # for|against|abstain|blank, or marks
    weight: Mapped[int] = mapped_column(Integer)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)


class BallotMark(Base):
    """A candidate chosen on an election ballot."""

    __tablename__ = "ballot_marks"
    __table_args__ = ({"sqlite_with_rowid": False},)

    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    candidacy_id: Mapped[str] = mapped_column(ForeignKey("candidacies.id"), primary_key=True)


class Candidacy(Base):
    __tablename__ = "candidacies"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"))
    member_id: Mapped[str] = mapped_column(Uuid)
    declared_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class BoardMandate(Base):
    """A seat on the board won at an election, for a term; terms are staggered across years."""

    __tablename__ = "board_mandates"

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[str] = mapped_column(Uuid, index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    votes: Mapped[int] = mapped_column(Integer)


class Cycle(Base):
    """A participatory cycle: themes voted by the assembly, worked on by groups."""

    __tablename__ = "cycles"

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    themes: Mapped[list] = mapped_column(JSON)
    item_id: Mapped[str | None] = mapped_column(ForeignKey("agenda_items.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class WorkingGroup(Base):
    __tablename__ = "working_groups"

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    cycle_id: Mapped[str | None] = mapped_column(ForeignKey("cycles.id"))
    theme: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class GroupMembership(Base):
    __tablename__ = "group_members"

    group_id: Mapped[str] = mapped_column(ForeignKey("working_groups.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Recommendation(Base):
    __tablename__ = "recommendations"

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("working_groups.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(Uuid)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # submitted|in_progress|accepted|rejected


class RecommendationAnswer(Base):
    """Each answer of the board, kept: a recommendation may go from in progress to accepted."""

    __tablename__ = "recommendation_answers"

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("recommendations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(Uuid)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[str] = mapped_column(Uuid, primary_key=True)
    group_id: Mapped[str | None] = mapped_column(ForeignKey("working_groups.id"))
    audience: Mapped[str] = mapped_column(String(16))  # group | board | members
    kind: Mapped[str] = mapped_column(String(16))  # proposal | multiple_choice | ranked_choice
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)
    max_choices: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    hide_results: Mapped[bool] = mapped_column(Boolean)
    opened_by: Mapped[str | None] = mapped_column(Uuid)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict | None] = mapped_column(JSON)


class PollResponse(Base):
    """A member's response; a changed response supersedes the previous one, which is kept."""

    __tablename__ = "poll_responses"
    __table_args__ = (
        Index("uq_poll_responses_current", "poll_id", "member_id", unique=True,
              sqlite_where=text("current"), postgresql_where=text("current")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    poll_id: Mapped[str] = mapped_column(ForeignKey("polls.id"))
    member_id: Mapped[str] = mapped_column(Uuid)
    choice: Mapped[list] = mapped_column(JSON)
    responded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    current: Mapped[bool] = mapped_column(Boolean)
