"""General assemblies, votes and elections, proxies, working groups and polls."""
from services.gateway.api import api, read_json
from services.gateway.routes import OFFICERS, Routes, b64_download
from services.gateway.schemas import governance as G
from shared.contracts import governance

BOARD = ("board",)
STAFF = ("staff",)


class GovernanceRoutes(Routes):

    def _as_member(self, body: dict, key: str = "member_id") -> dict:
        """The member acting is the caller unless staff act for one (another id: not found)."""
        body.setdefault(key, self.caller.member_id)
        self._own(body[key], STAFF)
        return body

    # ---- assemblies ----
    @api("POST", "/api/v1/assemblies", body=G.Convocation, response=governance.AssemblyDetailOut, status=201,
         summary="Convene a general assembly with its agenda (board)")
    def convene_assembly(self, request):
        self._require(*BOARD)
        return self.governance.convene_assembly(read_json(request))

    @api("GET", "/api/v1/assemblies/<assembly_id>", response=governance.AssemblyDetailOut,
         summary="An assembly, its agenda and presence")
    def get_assembly(self, request, assembly_id):
        return self.governance.get_assembly(assembly_id)

    @api("GET", "/api/v1/assemblies/<assembly_id>/roll", query=G.RollQuery,
         response=governance.ElectoralRollOut,
         summary="The electoral roll frozen at the record date (board, staff)")
    def electoral_roll(self, request, assembly_id):
        self._require(*OFFICERS)
        return self.governance.electoral_roll({**self._query(request), "assembly_id": assembly_id})

    @api("POST", "/api/v1/assemblies/<assembly_id>/members/<member_id>/attendance",
         response=governance.AttendanceOut,
         status=201, summary="Register a member present")
    def register_attendance(self, request, assembly_id, member_id):
        return self.governance.register_attendance({"assembly_id": assembly_id,
                                                    "member_id": self._own(member_id, OFFICERS)})

    @api("PUT", "/api/v1/assemblies/<assembly_id>/members/<member_id>/proxy", body=G.ProxyGrant,
         response=governance.ProxyOut, summary="Give one's proxy to another member")
    def grant_proxy(self, request, assembly_id, member_id):
        return self.governance.grant_proxy({**read_json(request), "assembly_id": assembly_id,
                                            "grantor_id": self._own(member_id, OFFICERS)})

    @api("DELETE", "/api/v1/assemblies/<assembly_id>/members/<member_id>/proxy", response=governance.ProxyOut,
         summary="Take one's proxy back")
    def revoke_proxy(self, request, assembly_id, member_id):
        return self.governance.revoke_proxy({"assembly_id": assembly_id,
                                             "grantor_id": self._own(member_id, OFFICERS)})

    @api("GET", "/api/v1/assemblies/<assembly_id>/minutes",
         response=governance.MinutesOut, summary="The minutes")
    def minutes(self, request, assembly_id):
        return self.governance.assembly_minutes({"assembly_id": assembly_id})

    @api("GET", "/api/v1/assemblies/<assembly_id>/minutes.pdf", content_type="application/pdf",
         summary="The minutes as PDF")
    def minutes_pdf(self, request, assembly_id):
        document = self.governance.assembly_minutes({"assembly_id": assembly_id, "format": "pdf"})
        return b64_download(document["pdf_base64"], "application/pdf", f"minutes-{assembly_id}.pdf")

    # ---- votes and elections ----
    @api("POST", "/api/v1/votes/<item_id>/opening", response=governance.ItemOut,
         summary="Open the vote on an item (board)")
    def open_vote(self, request, item_id):
        self._require(*BOARD)
        return self.governance.open_vote(item_id)

    @api("POST", "/api/v1/votes/<item_id>/closing", response=governance.ItemOut,
         summary="Close the vote and count it (board)")
    def close_vote(self, request, item_id):
        self._require(*BOARD)
        return self.governance.close_vote(item_id)

    @api("POST", "/api/v1/votes/<item_id>/ballots", body=G.Ballot, response=governance.ReceiptOut, status=201,
         summary="Cast a ballot (for oneself, or for the member whose proxy one holds)")
    def cast_vote(self, request, item_id):
        ballot = self._as_member(read_json(request), "voter_id")
        return self.governance.cast_vote({**ballot, "item_id": item_id})

    @api("GET", "/api/v1/votes/<item_id>/results",
         response=governance.VoteResultsOut, summary="Participation and result")
    def vote_results(self, request, item_id):
        return self.governance.vote_results(item_id)

    @api("POST", "/api/v1/votes/<item_id>/receipt-checks", body=G.ReceiptCheck,
         response=governance.ReceiptCheckOut,
         summary="Check that a ballot is in the box, by its receipt")
    def verify_receipt(self, request, item_id):
        return self.governance.verify_receipt({**read_json(request), "item_id": item_id})

    @api("POST", "/api/v1/votes/<item_id>/candidacies", body=G.CandidacyIn,
         response=governance.CandidacyOut, status=201,
         summary="Stand for election to the board")
    def declare_candidacy(self, request, item_id):
        return self.governance.declare_candidacy({**self._as_member(read_json(request)), "item_id": item_id})

    @api("GET", "/api/v1/board", query=G.BoardQuery,
         response=governance.BoardOut, summary="The board on a date")
    def board(self, request):
        return self.governance.board(self._query(request))

    # ---- participatory cycles, working groups, recommendations ----
    @api("POST", "/api/v1/cycles", body=G.CycleIn, response=governance.CycleOut, status=201,
         summary="Open a participatory cycle (board, staff)")
    def open_cycle(self, request):
        self._require(*OFFICERS)
        return self.governance.open_cycle(read_json(request))

    @api("POST", "/api/v1/working-groups", body=G.WorkingGroupIn, response=governance.GroupOut, status=201,
         summary="Create a working group (board, staff)")
    def create_working_group(self, request):
        self._require(*OFFICERS)
        return self.governance.create_working_group(read_json(request))

    @api("PUT", "/api/v1/working-groups/<group_id>/members/<member_id>",
         response=governance.GroupMembershipOut,
         summary="Join a working group")
    def join_working_group(self, request, group_id, member_id):
        return self.governance.join_working_group({"group_id": group_id,
                                                   "member_id": self._own(member_id, STAFF)})

    @api("POST", "/api/v1/working-groups/<group_id>/recommendations", body=G.RecommendationIn,
         response=governance.RecommendationOut, status=201, summary="Submit a working group's recommendation")
    def submit_recommendation(self, request, group_id):
        recommendation = self._as_member(read_json(request))
        return self.governance.submit_recommendation({**recommendation, "group_id": group_id})

    @api("POST", "/api/v1/recommendations/<recommendation_id>/answers", body=G.AnswerIn,
         response=governance.RecommendationOut, status=201, summary="Answer a recommendation (board)")
    def answer_recommendation(self, request, recommendation_id):
        self._require(*BOARD)
        return self.governance.answer_recommendation({**read_json(request),
                                                      "recommendation_id": recommendation_id})

    # ---- polls ----
    @api("POST", "/api/v1/polls", body=G.PollIn,
         response=governance.PollOut, status=201, summary="Open a poll")
    def open_poll(self, request):
        return self.governance.open_poll(read_json(request))

    @api("PUT", "/api/v1/polls/<poll_id>/responses/<member_id>", body=G.PollResponseIn,
         response=governance.PollResponseOut,
         summary="Answer a poll (again, to change one's answer)")
    def respond_poll(self, request, poll_id, member_id):
        member_id = self._own(member_id, roles=())
        return self.governance.respond_poll({**read_json(request), "poll_id": poll_id,
                                             "member_id": member_id})

    @api("POST", "/api/v1/polls/<poll_id>/closing", response=governance.PollResultsOut,
         summary="Close a poll (its author, or board and staff)")
    def close_poll(self, request, poll_id):
        return self.governance.close_poll(poll_id)

    @api("GET", "/api/v1/polls/<poll_id>/results",
         response=governance.PollResultsOut, summary="A poll's results")
    def poll_results(self, request, poll_id):
        return self.governance.poll_results(poll_id)
