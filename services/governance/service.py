"""The governance service: assemblies, the electoral roll, proxies, votes and elections, the
board, working groups, recommendations, polls and minutes."""

from services.governance import schemas
from services.governance.domain import assemblies, elections, groups, minutes, polls, roll, voting
from services.governance.models import Base
from shared import standing_handlers
from shared.batching import GroupCommit
from shared.clock import today, utcnow
from shared.contracts import governance as contract
from shared.db import UnitOfWork
from shared.metrics import counter
from shared.parameters import ParameterCache, ParameterEntrypoints
from shared.schemas import load
from shared.service import ServiceBase, rpc

VOTES_CAST = counter("coop_votes_cast_total", "Ballots cast at general assemblies", ["kind"])
STAFF = ("staff", "board")
CAST_VOTE = schemas.CastVote()  # one instance: casting is the hot path
RECEIPT_OUT = contract.ReceiptOut()
ROLL_OUT = contract.ElectoralRollOut()
POLL_RESULTS_OUT = contract.PollResultsOut()


def _cast_many(session, requests, tx):
    return voting.cast_votes(session, requests, utcnow())


def _cast_one(session, request, tx):
    return voting.cast_vote(session, request["item_id"], request["voter_id"], request["on_behalf_of"],
                            request["choice"], request["candidates"], utcnow())


class GovernanceService(standing_handlers.MemberStandingHandlers, ParameterEntrypoints, ServiceBase):
    name = "governance"

    uow = UnitOfWork(Base.metadata)
    parameters = ParameterCache()
    # ballots cast at the same moment share one transaction (the hot path of an assembly)
    ballots = GroupCommit(batch=_cast_many, single=_cast_one)

    # ---- assemblies, roll, attendance, proxies ----

    @rpc
    def convene_assembly(self, payload):
        data = load(schemas.ConveneAssembly(), payload)
        self.caller.require_role(*STAFF)
        with self.uow() as tx:
            assembly = assemblies.convene(tx.session, data, today(), self.caller.member_id)
            items = assemblies.items_of(tx.session, assembly.id)
            tx.emit("assembly_convened", {
                "assembly_id": assembly.id, "kind": assembly.kind, "meeting_date": assembly.meeting_date,
                "record_date": assembly.record_date, "sitting": assembly.sitting,
                "items": [{"item_id": i.id, "kind": i.kind, "majority": i.majority, "quorum": i.quorum}
                          for i in items]}, aggregate_id=assembly.id)
            return self._assembly_out(tx.session, assembly)

    @rpc
    def get_assembly(self, assembly_id):
        ref = load(schemas.AssemblyRef(), {"assembly_id": assembly_id})
        with self.uow() as tx:
            return self._assembly_out(tx.session, assemblies.get_assembly(tx.session, ref["assembly_id"]))

    def _assembly_out(self, session, assembly):
        out = contract.AssemblyDetailOut().dump(assembly)  # and the parts that are not columns:
        out["agenda"] = contract.ItemOut(many=True).dump(assemblies.items_of(session, assembly.id))
        out["presence"] = assemblies.presence(session, assembly.id)
        out["roll"] = roll.roll_totals(session, assembly.id)
        return out

    @rpc
    def electoral_roll(self, query):
        data = load(schemas.RollQuery(), query)
        now = utcnow()
        with self.uow() as tx:
            assembly = assemblies.get_assembly(tx.session, data["assembly_id"])
            out = {"assembly_id": assembly.id, "record_date": assembly.record_date.isoformat()}
            if assembly.roll_frozen_at is None and now.date() < assembly.record_date:
                return ROLL_OUT.dump({**out, "frozen": False, **roll.provisional_roll(
                    tx.session, assembly, data["limit"], data["offset"])})
            roll.ensure_roll(tx.session, assembly.id, now)
            entries = roll.roll_page(tx.session, assembly.id, data["limit"], data["offset"])
            return ROLL_OUT.dump({**out, "frozen": True, **roll.roll_totals(tx.session, assembly.id),
                                  "entries": entries})

    @rpc
    def member_standing(self, member_id, on=None):
        """What the electoral roll's projection knows of a member on a date (today by default)."""
        ref = load(schemas.StandingQuery(), {"member_id": member_id, "on": on})
        self.caller.require_self_or_role(ref["member_id"], *STAFF)
        with self.uow() as tx:
            return roll.member_standing(tx.session, ref["member_id"], ref["on"] or today())

    @rpc
    def register_attendance(self, payload):
        data = load(schemas.MemberAtAssembly(), payload)
        self.caller.require_self_or_role(data["member_id"], *STAFF)
        with self.uow() as tx:
            return contract.AttendanceOut().dump(assemblies.register_attendance(
                tx.session, data["assembly_id"], data["member_id"], self.caller.member_id, utcnow()))

    @rpc
    def grant_proxy(self, payload):
        data = load(schemas.ProxyIn(), payload)
        self.caller.require_self_or_role(data["grantor_id"], *STAFF)
        with self.uow() as tx:
            proxy = assemblies.grant_proxy(tx.session, data["assembly_id"], data["grantor_id"],
                                           data["holder_id"], utcnow())
            return contract.ProxyOut().dump(proxy)

    @rpc
    def revoke_proxy(self, payload):
        data = load(schemas.RevokeProxyIn(), payload)
        self.caller.require_self_or_role(data["grantor_id"], *STAFF)
        with self.uow() as tx:
            proxy = assemblies.revoke_proxy(tx.session, data["assembly_id"], data["grantor_id"], utcnow())
            return contract.ProxyOut().dump(proxy)

    # ---- votes ----

    @rpc
    def open_vote(self, item_id):
        ref = load(schemas.ItemRef(), {"item_id": item_id})
        self.caller.require_role(*STAFF)
        with self.uow() as tx:
            item = voting.open_vote(tx.session, ref["item_id"], utcnow())
            tx.emit("vote_opened", {"item_id": item.id, "assembly_id": item.assembly_id,
                                    "kind": item.kind, "secret": item.secret}, aggregate_id=item.id)
            return contract.ItemOut().dump(item)

    @rpc
    def cast_vote(self, payload):
        data = load(CAST_VOTE, payload)
        self.caller.require_self_or_role(data["voter_id"], "staff")
        receipt = self.ballots.submit(data)
        VOTES_CAST.labels("proxy" if receipt["member_id"] != receipt["cast_by"] else "in_person").inc()
        return RECEIPT_OUT.dump(receipt)

    @rpc
    def close_vote(self, item_id):
        ref = load(schemas.ItemRef(), {"item_id": item_id})
        self.caller.require_role(*STAFF)
        with self.uow() as tx:
            item = voting.close_vote(tx.session, ref["item_id"], utcnow())
            self._emit_result(tx, item.result)
            return contract.ItemOut().dump(item)

    def _emit_result(self, tx, result):
        item_id = result["item_id"]
        if result["kind"] == "resolution":
            tally = result["tally"]
        else:
            tally = {c["candidacy_id"]: c["votes"] for c in result["candidates"]}
        tx.emit("vote_closed", {"item_id": item_id, "assembly_id": result["assembly_id"],
                                "kind": result["kind"], "quorum_met": result["quorum_met"],
                                "ballots_total": result["ballots_total"], "tally": tally,
                                "adopted": result["adopted"]}, aggregate_id=item_id)
        if result["kind"] == "resolution":
            tx.emit("resolution_adopted" if result["adopted"] else "resolution_rejected", {
                "item_id": item_id, "assembly_id": result["assembly_id"], "majority": result["majority"],
                "quorum_met": result["quorum_met"], "votes_for": tally["for"],
                "votes_against": tally["against"], "abstentions": tally["abstain"],
                "votes_cast": result["votes_cast"]}, aggregate_id=item_id)
        elif result["elected"]:
            tx.emit("board_elected", {
                "item_id": item_id, "assembly_id": result["assembly_id"], "seats": result["seats"],
                "elected": result["elected"], "tie_break": result["tie_break"],
                "tie_broken": bool(result["tie_broken"]), "lot_seed": result["lot_seed"]},
                aggregate_id=item_id)

    @rpc
    def vote_results(self, item_id):
        ref = load(schemas.ItemRef(), {"item_id": item_id})
        with self.uow() as tx:
            item = assemblies.get_item(tx.session, ref["item_id"])
            out = {"item_id": item.id, "status": item.status,
                   "participants": voting.participation_count(tx.session, item.id)}
            if item.status == "closed":
                out["result"] = item.result
                out["receipts"] = voting.receipt_hashes(tx.session, item.id)
            return contract.VoteResultsOut().dump(out)

    @rpc
    def verify_receipt(self, payload):
        data = load(schemas.ReceiptIn(), payload)
        with self.uow() as tx:
            check = voting.verify_receipt(tx.session, data["item_id"], data["receipt"])
            return contract.ReceiptCheckOut().dump(check)

    # ---- elections and the board ----

    @rpc
    def declare_candidacy(self, payload):
        data = load(schemas.CandidacyIn(), payload)
        self.caller.require_self_or_role(data["member_id"], *STAFF)
        with self.uow() as tx:
            candidacy = elections.declare_candidacy(tx.session, data["item_id"], data["member_id"], utcnow())
            return contract.CandidacyOut().dump(candidacy)

    @rpc
    def board(self, query=None):
        data = load(schemas.BoardQuery(), query or {})
        on = data["on"] or today()
        with self.uow() as tx:
            return contract.BoardOut().dump({"on": on, "members": elections.board_on(tx.session, on)})

    # ---- participatory cycles ----

    @rpc
    def open_cycle(self, payload):
        data = load(schemas.CycleIn(), payload)
        self.caller.require_role(*STAFF)
        with self.uow() as tx:
            cycle = groups.open_cycle(tx.session, data["title"], data["themes"], data["item_id"], utcnow())
            return contract.CycleOut().dump(cycle)

    @rpc
    def create_working_group(self, payload):
        data = load(schemas.WorkingGroupIn(), payload)
        self.caller.require_role(*STAFF)
        with self.uow() as tx:
            group = groups.create_working_group(tx.session, data["title"], data["cycle_id"],
                                                data["theme"], utcnow())
            return contract.GroupOut().dump(group)

    @rpc
    def join_working_group(self, payload):
        data = load(schemas.JoinGroupIn(), payload)
        self.caller.require_self_or_role(data["member_id"], "staff")
        with self.uow() as tx:
            groups.join_working_group(tx.session, data["group_id"], data["member_id"], utcnow())
            return contract.GroupMembershipOut().dump(data)

    @rpc
    def submit_recommendation(self, payload):
        data = load(schemas.RecommendationIn(), payload)
        self.caller.require_self_or_role(data["member_id"], "staff")
        with self.uow() as tx:
            rec = groups.submit_recommendation(tx.session, data["group_id"], data["member_id"],
                                               data["title"], data["text"], utcnow())
            group = groups.get_group(tx.session, rec.group_id)
            tx.emit("recommendation_submitted", {"recommendation_id": rec.id, "group_id": rec.group_id,
                                                 "cycle_id": group.cycle_id}, aggregate_id=rec.id)
            return contract.RecommendationOut().dump(rec)

    @rpc
    def answer_recommendation(self, payload):
        data = load(schemas.AnswerIn(), payload)
        self.caller.require_role("board")
        with self.uow() as tx:
            rec = groups.answer_recommendation(tx.session, data["recommendation_id"], data["status"],
                                               data["text"], self.caller.member_id, utcnow())
            tx.emit("recommendation_answered", {"recommendation_id": rec.id, "group_id": rec.group_id,
                                                "status": rec.status}, aggregate_id=rec.id)
            out = contract.RecommendationOut().dump(rec)
            out["answers"] = [{"status": a.status, "text": a.text, "answered_at": a.answered_at.isoformat()}
                              for a in groups.answers_of(tx.session, rec.id)]
            return out

    # ---- polls ----

    @rpc
    def open_poll(self, payload):
        data = load(schemas.PollIn(), payload)
        with self.uow() as tx:
            polls.check_may_open(tx.session, data, self.caller.member_id, self.caller.has_role(*STAFF))
            poll = polls.open_poll(tx.session, data, self.caller.member_id, utcnow())
            return contract.PollOut().dump(poll)

    @rpc
    def respond_poll(self, payload):
        data = load(schemas.PollResponseIn(), payload)
        self.caller.require_self_or_role(data["member_id"])
        with self.uow() as tx:
            polls.respond_poll(tx.session, data["poll_id"], data["member_id"], data["choice"], utcnow())
            return contract.PollResponseOut().dump(data)

    @rpc
    def close_poll(self, poll_id):
        ref = load(schemas.PollRef(), {"poll_id": poll_id})
        with self.uow() as tx:
            poll = polls.get_poll(tx.session, ref["poll_id"])
            if poll.opened_by is None or poll.opened_by != self.caller.member_id:
                self.caller.require_role(*STAFF)
            poll = polls.close_poll(tx.session, poll.id, utcnow())
            tx.emit("poll_closed", {"poll_id": poll.id, "kind": poll.kind,
                                    "responses": poll.result["responses"]}, aggregate_id=poll.id)
            return POLL_RESULTS_OUT.dump(polls.poll_results(tx.session, poll.id, utcnow()))

    @rpc
    def poll_results(self, poll_id):
        ref = load(schemas.PollRef(), {"poll_id": poll_id})
        with self.uow() as tx:
            return POLL_RESULTS_OUT.dump(polls.poll_results(tx.session, ref["poll_id"], utcnow()))

    # ---- minutes ----

    @rpc
    def assembly_minutes(self, payload):
        data = load(schemas.MinutesIn(), payload)
        with self.uow() as tx:
            record = minutes.assembly_minutes(tx.session, data["assembly_id"])
        if data["format"] == "pdf":
            return {"assembly_id": data["assembly_id"], "content_type": "application/pdf",
                    "pdf_base64": minutes.minutes_pdf(record)}
        return contract.MinutesOut().dump(record)

    # ---- the electoral roll's history of membership events (MemberStandingHandlers) ----

    def keep_member_standing(self, session, event, facts):
        roll.keep_standing(session, event.event_type, event.data, facts)
