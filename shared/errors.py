"""Typed errors that cross the RPC wire and arrive at the caller as the same types.

Nameko 2.14 rebuilds a remote exception as an instance when its class is registered with
``deserialize_to_instance``; the instance is built from ``exc_args``, so every error keeps its
message first and its structured detail second.
"""
from nameko.exceptions import deserialize_to_instance


class CoopError(Exception):
    """Base of the errors a caller is expected to handle; ``code`` is the gateway's error code."""

    code = "error"
    http_status = 400

    def __init__(self, message: str = "", fields: dict | None = None):
        super().__init__(message, fields or {})
        self.message = message
        self.fields = fields or {}

    def __str__(self) -> str:
        if self.fields:
            return f"{self.message} {self.fields}"
        return self.message

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "fields": self.fields}


@deserialize_to_instance
class ValidationError(CoopError):
    """Input that does not satisfy a schema or a rule; ``fields`` is ``{field: [messages]}``."""

    code = "validation_error"
    http_status = 422


@deserialize_to_instance
class NotInGoodStanding(ValidationError):
    """The member is not in good standing on the day in question (status, shares or coverage);
    a ValidationError, so callers and the gateway treat it as one (422)."""


@deserialize_to_instance
class NotFound(CoopError):
    code = "not_found"
    http_status = 404


@deserialize_to_instance
class Conflict(CoopError):
    code = "conflict"
    http_status = 409


@deserialize_to_instance
class Forbidden(CoopError):
    code = "forbidden"
    http_status = 403


@deserialize_to_instance
class Unauthorized(CoopError):
    code = "unauthorized"
    http_status = 401


@deserialize_to_instance
class PreconditionFailed(CoopError):
    code = "precondition_failed"
    http_status = 412


@deserialize_to_instance
class RpcTimeout(CoopError):
    """A call to another service did not answer in time."""

    code = "timeout"
    http_status = 504


EXPECTED = (ValidationError, NotFound, Conflict, Forbidden, Unauthorized, PreconditionFailed)


def rule_broken(field: str, message: str) -> ValidationError:
    """A domain rule refused the input; reported against the field that carries it."""
    return ValidationError(message, {field: [message]})
