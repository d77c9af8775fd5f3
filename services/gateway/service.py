"""The HTTP gateway: the JSON API front ends use, calling the services over RPC.

The routes live in one mixin per area (``services.gateway.routes``); this class holds the RPC
proxies they call and the platform routes.
"""
from kombu import Connection
from nameko.dependency_providers import Config

from services.gateway import schemas as S
from services.gateway import tokens
from services.gateway.api import api, read_json
from services.gateway.openapi import served_spec
from services.gateway.routes import billing as billing_routes
from services.gateway.routes import declarations as declaration_routes
from services.gateway.routes import governance as governance_routes
from services.gateway.routes import members as member_routes
from services.gateway.routes import parameters as parameter_routes
from services.gateway.routes import resources as resource_routes
from shared.rpc import TimedRpcProxy
from shared.service import ServiceBase

SERVICES = ("membership", "billing", "declarations", "resources", "governance")


class GatewayService(member_routes.MemberRoutes, billing_routes.BillingRoutes,
                     declaration_routes.DeclarationRoutes, resource_routes.ResourceRoutes,
                     governance_routes.GovernanceRoutes, parameter_routes.ParameterRoutes, ServiceBase):
    name = "gateway"

    config = Config()
    membership = TimedRpcProxy("membership")
    billing = TimedRpcProxy("billing")
    declarations = TimedRpcProxy("declarations")
    resources = TimedRpcProxy("resources")
    governance = TimedRpcProxy("governance")

    @api("GET", "/health", public=True, response=S.Health, summary="Broker and services reachable")
    def health(self, request):
        services, broker = {}, False
        try:
            with Connection(self.config["AMQP_URI"], connect_timeout=2) as connection:
                channel = connection.channel()
                broker = True
                for name in SERVICES:
                    try:
                        services[name] = channel.queue_declare(f"rpc-{name}", passive=True).consumer_count > 0
                    except Exception:
                        channel = connection.channel()
                        services[name] = False
        except Exception:
            broker = False
        healthy = broker and all(services.values())
        return (200 if healthy else 503), {"status": "ok" if healthy else "degraded",
                                           "broker": broker, "services": services}

    @api("GET", "/api/v1/openapi.json", public=True, summary="This API's OpenAPI document")
    def openapi(self, request):
        return served_spec(type(self))

    @api("POST", "/api/v1/auth/token", public=True, body=S.Credentials, response=S.Token,
         summary="Exchange e-mail and password for a bearer token")
    def issue_token(self, request):
        identity = self.membership.authenticate(read_json(request))
        return tokens.issue(self.config["JWT_SECRET"], identity["member_id"], identity["roles"],
                            int(self.config.get("JWT_TTL_SECONDS", 3600)))
