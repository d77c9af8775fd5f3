"""Dated parameters of every service: read by any member, changed from a date by staff.

A parameter's full name starts with the service that owns it (``billing.fee_rate``); the route
asks that service.
"""
from services.gateway.api import api, read_json
from services.gateway.routes import Routes
from shared import parameters as P

STAFF = ("staff",)


class ParameterRoutes(Routes):

    @api("GET", "/api/v1/parameters", query=P.ParameterDate, response=P.ParameterInForce(many=True),
         summary="Every service's parameters with the value in force on a date")
    def list_parameters(self, request):
        query = self._query(request)
        return sorted((found for owner in P.OWNERS for found in self._owner(owner).list_parameters(query)),
                      key=lambda found: found["name"])

    @api("GET", "/api/v1/parameters/<name>", query=P.ParameterDate, response=P.ParameterWithHistory,
         summary="A parameter's value on a date, and its history")
    def get_parameter(self, request, name):
        return self._owner(P.owner_of(name)).get_parameter(name, self._query(request).get("on"))

    @api("PUT", "/api/v1/parameters/<name>", body=P.ParameterValueChange, response=P.ParameterRecorded,
         summary="Record a new value of a parameter from a date (staff)")
    def set_parameter(self, request, name):
        self._require(*STAFF)
        return self._owner(P.owner_of(name)).set_parameter({**read_json(request), "name": name})

    def _owner(self, service: str):
        """The RPC proxy of the service that owns the parameters named ``<service>.``."""
        return getattr(self, service)
