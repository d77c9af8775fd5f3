"""The catalogue of shared resources, and bookings."""
from services.gateway.api import api, read_json
from services.gateway.routes import Routes
from services.gateway.schemas import resources as R
from shared.contracts import resources

STAFF = ("staff",)


class ResourceRoutes(Routes):

    def _booking(self, booking_id: str) -> dict:
        return self._fetch_owned(self.resources.get_booking, booking_id, "booking", STAFF)

    def _booking_request(self, request) -> dict:
        """The member books for themself, charged to one of their own activities."""
        body = read_json(request)
        body.setdefault("member_id", self.caller.member_id)
        self._own(body["member_id"], STAFF)
        if isinstance(body.get("activity_id"), str):
            self._owned(self._activity(body["activity_id"]), "activity", roles=STAFF)
        return body

    # ---- the catalogue ----
    @api("GET", "/api/v1/resources", query=R.ResourceQuery, response=resources.ResourceOut(many=True),
         summary="The catalogue of workspaces, machines and equipment")
    def list_resources(self, request):
        return self.resources.list_resources(self._query(request))

    @api("POST", "/api/v1/resources", body=R.ResourceIn, response=resources.ResourceOut, status=201,
         summary="Add a resource to the catalogue (staff)")
    def add_resource(self, request):
        self._require(*STAFF)
        return self.resources.add_resource(read_json(request))

    @api("GET", "/api/v1/resources/<resource_id>",
         response=resources.ResourceOut, summary="A resource and its rules")
    def get_resource(self, request, resource_id):
        return self.resources.get_resource(resource_id)

    @api("PATCH", "/api/v1/resources/<resource_id>", body=R.ResourceChanges, response=resources.ResourceOut,
         summary="Change a resource's rules or status (staff)")
    def update_resource(self, request, resource_id):
        self._require(*STAFF)
        return self.resources.update_resource(resource_id, read_json(request))

    @api("POST", "/api/v1/resources/<resource_id>/retirement", body=R.Reason, response=resources.ResourceOut,
         summary="Retire a resource; its future bookings are cancelled (staff)")
    def retire_resource(self, request, resource_id):
        self._require(*STAFF)
        return self.resources.retire_resource(resource_id, read_json(request).get("reason"))

    @api("GET", "/api/v1/resource-utilisation", query=R.UtilisationQuery,
         response=resources.UtilisationOut(many=True),
         summary="Booked and used hours per resource over a period (staff, board)")
    def utilisation_report(self, request):
        self._require("staff", "board")
        query = self._query(request)
        return self.resources.utilisation_report(query.get("resource_id"), query.get("from"), query.get("to"))

    @api("POST", "/api/v1/resources/<resource_id>/blackouts", body=R.BlackoutIn,
         response=resources.BlackoutOut,
         status=201, summary="Take a resource (or one unit) out of service for a while (staff)")
    def add_blackout(self, request, resource_id):
        self._require(*STAFF)
        return self.resources.add_blackout({**read_json(request), "resource_id": resource_id})

    @api("GET", "/api/v1/resources/<resource_id>/availability", query=R.AvailabilityQuery,
         response=resources.AvailabilityOut, summary="Free intervals of each unit between two instants")
    def availability(self, request, resource_id):
        query = self._query(request)
        return self.resources.availability(resource_id, query.get("from"), query.get("to"))

    @api("POST", "/api/v1/members/<member_id>/certifications", body=R.CertificationIn,
         response=resources.CertificationOut, status=201, summary="Certify a member's training (staff)")
    def certify_member(self, request, member_id):
        self._require(*STAFF)
        return self.resources.certify_member(member_id, read_json(request).get("training"))

    # ---- bookings ----
    @api("POST", "/api/v1/bookings", body=R.BookingIn, response=resources.BookingOut, status=201,
         summary="Book a resource")
    def book(self, request):
        return self.resources.book(self._booking_request(request))

    @api("POST", "/api/v1/bookings/recurring", body=R.RecurringBookingIn,
         response=resources.BookingOut(many=True),
         status=201, summary="Book the same slot every week")
    def book_recurring(self, request):
        return self.resources.book_recurring(self._booking_request(request))

    @api("GET", "/api/v1/bookings/<booking_id>", response=resources.BookingOut, summary="A booking")
    def get_booking(self, request, booking_id):
        return self._booking(booking_id)

    @api("POST", "/api/v1/bookings/<booking_id>/approval", response=resources.BookingOut,
         summary="Approve a booking that needs it (staff)")
    def approve_booking(self, request, booking_id):
        self._require(*STAFF)
        return self.resources.approve_booking(booking_id)

    @api("POST", "/api/v1/bookings/<booking_id>/rejection", body=R.OptionalReason,
         response=resources.BookingOut,
         summary="Refuse a booking waiting for approval (staff)")
    def reject_booking(self, request, booking_id):
        self._require(*STAFF)
        return self.resources.reject_booking(booking_id, read_json(request).get("reason"))

    @api("POST", "/api/v1/bookings/<booking_id>/cancellation", response=resources.BookingOut,
         summary="Cancel a booking (late cancellations are charged)")
    def cancel_booking(self, request, booking_id):
        self._booking(booking_id)
        return self.resources.cancel_booking(booking_id)

    @api("POST", "/api/v1/bookings/<booking_id>/check-in", response=resources.BookingOut, summary="Check in")
    def check_in(self, request, booking_id):
        self._booking(booking_id)
        return self.resources.check_in(booking_id)

    @api("POST", "/api/v1/bookings/<booking_id>/check-out", response=resources.CheckOutOut,
         summary="Check out: the usage is charged to the activity")
    def check_out(self, request, booking_id):
        self._booking(booking_id)
        return self.resources.check_out(booking_id)

    @api("GET", "/api/v1/members/<member_id>/bookings", query=R.BookingsQuery,
         response=resources.BookingOut(many=True),
         summary="A member's bookings")
    def member_bookings(self, request, member_id):
        query = self._query(request)
        return self.resources.member_bookings(
            self._own(member_id, STAFF), query.get("from"), query.get("to"),
            query.get("limit", 100), query.get("offset", 0))
