"""Polls between assemblies, for working groups, the board or all members (Loomio's kinds):
a proposal (agree, abstain, disagree, block), a multiple choice, a ranked choice counted by
instant runoff. Results may stay hidden until the poll closes."""
import datetime as dt
from collections import Counter

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.governance.domain.common import get, new_id
from services.governance.domain.elections import board_on
from services.governance.domain.groups import is_group_member
from services.governance.domain.roll import member_in_good_standing
from services.governance.models import Poll, PollResponse
from shared.errors import Forbidden, PreconditionFailed, rule_broken

PROPOSAL_OPTIONS = ["agree", "abstain", "disagree", "block"]


def get_poll(session: Session, poll_id: str) -> Poll:
    return get(session, Poll, poll_id, "poll")


def check_may_open(session: Session, data: dict, member_id: str | None, privileged: bool) -> None:
    """The board and staff open any poll; a working group's members open their group's polls."""
    if privileged:
        return
    if data.get("group_id") and member_id and is_group_member(session, data["group_id"], member_id):
        return
    raise Forbidden("polls are opened by the board, or by a working group for itself")


def open_poll(session: Session, data: dict, opened_by: str | None, now: dt.datetime) -> Poll:
    kind = data["kind"]
    options = PROPOSAL_OPTIONS if kind == "proposal" else list(dict.fromkeys(data.get("options") or []))
    if kind != "proposal" and len(options) < 2:
        raise rule_broken("options", "a poll offers at least two distinct options")
    if data["closes_at"] <= now:
        raise rule_broken("closes_at", "the closing time is in the future")
    audience = "group" if data.get("group_id") else data.get("audience") or "members"
    max_choices = 1 if kind == "proposal" else data.get("max_choices") or (
        len(options) if kind == "ranked_choice" else 1)
    poll = Poll(id=new_id(), group_id=data.get("group_id"), audience=audience, kind=kind,
                question=data["question"], options=options, max_choices=max_choices,
                closes_at=data["closes_at"], hide_results=data.get("hide_results", False),
                opened_by=opened_by)
    session.add(poll)
    session.flush()
    return poll


def is_closed(poll: Poll, now: dt.datetime) -> bool:
    return poll.closed_at is not None or now >= _aware(poll.closes_at)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def may_respond(session: Session, poll: Poll, member_id: str, now: dt.datetime) -> bool:
    if poll.audience == "group":
        return is_group_member(session, poll.group_id, member_id)
    if poll.audience == "board":
        return any(m.member_id == member_id for m in board_on(session, now.date()))
    return member_in_good_standing(session, member_id, now.date())


def respond_poll(session: Session, poll_id: str, member_id: str, choice: list[str],
                 now: dt.datetime) -> PollResponse:
    poll = get(session, Poll, poll_id, "poll")
    if is_closed(poll, now):
        raise PreconditionFailed("this poll is closed")
    if not may_respond(session, poll, member_id, now):
        raise Forbidden(f"this poll is for the {poll.audience}")
    _check_choice(poll, choice)
    # a changed response supersedes the previous one, which stays in the record
    session.execute(update(PollResponse).where(PollResponse.poll_id == poll.id,
                                               PollResponse.member_id == member_id,
                                               PollResponse.current.is_(True)).values(current=False))
    response = PollResponse(poll_id=poll.id, member_id=member_id, choice=choice, responded_at=now,
                            current=True)
    session.add(response)
    session.flush()
    return response


def _check_choice(poll: Poll, choice: list[str]) -> None:
    if not choice or len(set(choice)) != len(choice):
        raise rule_broken("choice", "at least one option, each once")
    unknown = [c for c in choice if c not in poll.options]
    if unknown:
        raise rule_broken("choice", f"not options of this poll: {', '.join(unknown)}")
    if len(choice) > poll.max_choices:
        raise rule_broken("choice", f"at most {poll.max_choices} option(s)")


def close_poll(session: Session, poll_id: str, now: dt.datetime) -> Poll:
    poll = get(session, Poll, poll_id, "poll", lock=True)
    if poll.closed_at is not None:
        raise PreconditionFailed("this poll is already closed")
    poll.closed_at = now
    poll.result = count_poll(session, poll)
    return poll


def current_choices(session: Session, poll_id: str) -> list[list[str]]:
    return [r for r in session.execute(select(PollResponse.choice).where(
        PollResponse.poll_id == poll_id, PollResponse.current.is_(True))).scalars()]


def count_poll(session: Session, poll: Poll) -> dict:
    choices = current_choices(session, poll.id)
    result = {"responses": len(choices)}
    if poll.kind == "ranked_choice":
        result.update(instant_runoff(choices, poll.options))
        return result
    counts = Counter(option for choice in choices for option in choice)
    result["counts"] = {option: counts.get(option, 0) for option in poll.options}
    if poll.kind == "proposal":
        result["blocked"] = counts.get("block", 0) > 0
    return result


def instant_runoff(rankings: list[list[str]], options: list[str]) -> dict:
    """Count first preferences among the options still standing; a majority of the ballots still
    expressing a preference wins; otherwise the fewest is eliminated (on a tie for fewest, the one
    listed last among the poll's options) and its ballots pass to their next preference."""
    standing = list(options)
    rounds = []
    while standing:
        tally = {option: 0 for option in standing}
        for ranking in rankings:
            top = next((o for o in ranking if o in tally), None)
            if top is not None:
                tally[top] += 1
        active = sum(tally.values())
        rounds.append(tally)
        leader = max(standing, key=lambda o: (tally[o], -standing.index(o)))
        if active == 0 or tally[leader] * 2 > active or len(standing) == 1:
            return {"rounds": rounds, "winner": leader if active else None}
        fewest = min(tally.values())
        eliminated = [o for o in standing if tally[o] == fewest][-1]
        standing.remove(eliminated)
    return {"rounds": rounds, "winner": None}


def poll_results(session: Session, poll_id: str, now: dt.datetime) -> dict:
    poll = get(session, Poll, poll_id, "poll")
    closed = is_closed(poll, now)
    out = {"poll_id": poll.id, "kind": poll.kind, "closed": closed}
    if poll.result is not None:
        return {**out, **poll.result}
    if poll.hide_results and not closed:
        return {**out, "hidden": True, "responses": len(current_choices(session, poll.id))}
    return {**out, **count_poll(session, poll)}
