"""The HTTP entrypoint of the API: JSON in and out, authentication, limits, error mapping."""
import json
import logging
import time
import uuid
from functools import partial

from eventlet.event import Event
from nameko.exceptions import UnknownService
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from services.gateway import tokens
from shared.errors import CoopError, RpcTimeout, Unauthorized, ValidationError

log = logging.getLogger(__name__)


def json_response(payload, status=200, headers=None) -> Response:
    return Response(json.dumps(payload), status=status, headers=headers,
                    content_type="application/json")


def error_response(status: int, code: str, message: str, fields=None) -> Response:
    return json_response({"error": code, "message": message, "fields": fields or {}}, status)


class RateLimiter:
    """A token bucket per client, per gateway instance (each instance enforces its share)."""

    def __init__(self, per_minute: int):
        self.rate = per_minute / 60.0
        self.capacity = max(1, per_minute // 6)
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        tokens, last = self.buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return False
        self.buckets[client] = (tokens - 1, now)
        if len(self.buckets) > 100_000:  # forget idle clients
            self.buckets.clear()
        return True


class ApiRoute(HttpRequestHandler):
    """``@api(method, url, public=False, body=Schema, response=Schema, summary=...)``."""

    def __init__(self, method, url, public=False, body=None, query=None, response=None,
                 summary="", tag=None, status=200, content_type="application/json",
                 accepts="application/json", max_body=None, **kwargs):
        self.public = public
        self.accepts = accepts
        self.route_max_body = max_body
        self.body_schema = body
        self.query_schema = query
        self.response_schema = response
        self.summary = summary
        self.tag = tag
        self.status = status
        self.content_type = content_type
        super().__init__(method, url, **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.secret = config.get("JWT_SECRET", "change-me-outside-development")
        self.max_body = self.route_max_body or int(config.get("MAX_BODY_BYTES", 2 * 1024 * 1024))
        limiter = getattr(self.container, "_coop_rate_limiter", None)
        if limiter is None:
            limiter = RateLimiter(int(config.get("RATE_LIMIT_PER_MINUTE", 1200)))
            self.container._coop_rate_limiter = limiter
        self.limiter = limiter

    def handle_request(self, request):
        request.shallow = False
        client = request.headers.get("X-Forwarded-For", request.remote_addr or "?").split(",")[0].strip()
        if not self.limiter.allow(client):
            return error_response(429, "rate_limited", "too many requests; slow down")
        request.max_content_length = self.max_body  # a chunked body is read no further than the limit
        if (request.content_length or 0) > self.max_body:
            return error_response(413, "too_large", f"the body may not exceed {self.max_body} bytes")
        try:
            context_data = {"correlation_id": request.headers.get("X-Request-Id") or uuid.uuid4().hex}
            if not self.public:
                context_data["auth"] = tokens.verify(self.secret, request.headers.get("Authorization"))
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, event))
            return self.response_from_result(event.wait())
        except Exception as exc:
            return self.response_from_exception(exc)

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status = self.status
        if isinstance(result, tuple):
            status, result = result
        return json_response(result, status)

    def response_from_exception(self, exc):
        if isinstance(exc, RpcTimeout):
            return error_response(504, exc.code, exc.message)
        if isinstance(exc, UnknownService):
            return error_response(503, "unavailable", f"the {exc} is not running")
        if isinstance(exc, Unauthorized):
            return error_response(401, exc.code, exc.message)
        if isinstance(exc, CoopError):
            return error_response(exc.http_status, exc.code, exc.message, exc.fields)
        if isinstance(exc, HTTPException):
            return error_response(exc.code or 400, "bad_request", exc.description or str(exc))
        log.exception("unexpected error in %s %s", self.method, self.url, exc_info=exc)
        return error_response(500, "internal_error", "something went wrong; it has been logged")


api = ApiRoute.decorator


def read_json(request) -> dict:
    """The request body as a JSON object, or a 422 that says why not."""
    if not request.data:
        return {}
    try:
        body = json.loads(request.get_data(as_text=True))
    except ValueError as exc:
        raise ValidationError("the body is not valid JSON", {"_body": [str(exc)]}) from None
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object", {"_body": ["must be an object"]})
    return body


def read_text(request) -> str:
    """A text body (an uploaded XML document), or a 422 when it is empty or not UTF-8."""
    try:
        text = request.get_data().decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("the body is not UTF-8 text", {"_body": ["must be UTF-8"]}) from None
    if not text.strip():
        raise ValidationError("the body is empty", {"_body": ["a document is required"]})
    return text
