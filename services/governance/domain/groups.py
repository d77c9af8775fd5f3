"""Participatory cycles (Smart In Progress): themes voted by the assembly, working groups that
members join, recommendations they draft, and the board's answer to each."""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.governance.domain.common import get, new_id
from services.governance.domain.roll import member_in_good_standing
from services.governance.models import (
    AgendaItem,
    Cycle,
    GroupMembership,
    Recommendation,
    RecommendationAnswer,
    WorkingGroup,
)
from shared.errors import Conflict, Forbidden, rule_broken

ANSWERS = ("accepted", "rejected", "in_progress")


def open_cycle(session: Session, title: str, themes: list[str], item_id: str | None,
               now: dt.datetime) -> Cycle:
    """A cycle's themes are those the assembly adopted (when ``item_id`` names its vote)."""
    if item_id is not None:
        item = get(session, AgendaItem, item_id, "agenda item")
        if not (item.result or {}).get("adopted"):
            raise rule_broken("item_id", "the assembly has not adopted these themes")
    cycle = Cycle(id=new_id(), title=title, themes=themes, item_id=item_id, created_at=now)
    session.add(cycle)
    session.flush()
    return cycle


def create_working_group(session: Session, title: str, cycle_id: str | None, theme: str | None,
                         now: dt.datetime) -> WorkingGroup:
    if cycle_id is not None:
        cycle = get(session, Cycle, cycle_id, "cycle")
        if theme not in cycle.themes:
            raise rule_broken("theme", f"one of the cycle's themes: {', '.join(cycle.themes)}")
    group = WorkingGroup(id=new_id(), cycle_id=cycle_id, theme=theme, title=title, created_at=now)
    session.add(group)
    session.flush()
    return group


def join_working_group(session: Session, group_id: str, member_id: str, now: dt.datetime) -> GroupMembership:
    get(session, WorkingGroup, group_id, "working group")
    if not member_in_good_standing(session, member_id, now.date()):
        raise Forbidden("only members in good standing join working groups")
    if session.get(GroupMembership, (group_id, member_id)) is not None:
        raise Conflict("already a member of this group", {"member_id": ["already joined"]})
    membership = GroupMembership(group_id=group_id, member_id=member_id, joined_at=now)
    session.add(membership)
    session.flush()
    return membership


def is_group_member(session: Session, group_id: str, member_id: str) -> bool:
    return session.get(GroupMembership, (group_id, member_id)) is not None


def submit_recommendation(session: Session, group_id: str, member_id: str, title: str, text: str,
                          now: dt.datetime) -> Recommendation:
    get(session, WorkingGroup, group_id, "working group")
    if not is_group_member(session, group_id, member_id):
        raise Forbidden("a recommendation is submitted by a member of the group")
    recommendation = Recommendation(id=new_id(), group_id=group_id, title=title, text=text,
                                    submitted_by=member_id, submitted_at=now, status="submitted")
    session.add(recommendation)
    session.flush()
    return recommendation


def answer_recommendation(session: Session, recommendation_id: str, status: str, text: str,
                          answered_by: str | None, now: dt.datetime) -> Recommendation:
    recommendation = get(session, Recommendation, recommendation_id, "recommendation", lock=True)
    if recommendation.status in ("accepted", "rejected"):
        raise Conflict(f"the board already answered: {recommendation.status}")
    session.add(RecommendationAnswer(id=new_id(), recommendation_id=recommendation.id, status=status,
                                     text=text, answered_by=answered_by, answered_at=now))
    recommendation.status = status
    session.flush()
    return recommendation


def answers_of(session: Session, recommendation_id: str) -> list[RecommendationAnswer]:
    return list(session.execute(select(RecommendationAnswer)
                                .where(RecommendationAnswer.recommendation_id == recommendation_id)
                                .order_by(RecommendationAnswer.answered_at)).scalars())


def recommendations_of(session: Session, group_id: str) -> list[Recommendation]:
    return list(session.execute(select(Recommendation).where(Recommendation.group_id == group_id)
                                .order_by(Recommendation.submitted_at)).scalars())


def get_group(session: Session, group_id: str) -> WorkingGroup:
    return get(session, WorkingGroup, group_id, "working group")
