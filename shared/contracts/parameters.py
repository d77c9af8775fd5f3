"""The contract of every service's dated parameters: what the parameter entrypoints answer and the
``parameter_changed`` event each owning service publishes (``shared.parameters`` is the mechanism)."""
import marshmallow as ma
from marshmallow import fields

from shared.contracts import event_schema
from shared.schemas import Instant, IsoDate

# the services that own parameters: the first part of every parameter's full name
OWNERS = ("billing", "declarations", "governance", "membership")
EXAMPLE = {"name": "billing.fee_rate", "value": "7.00", "effective_from": "2027-01-01"}


class ParameterValue(ma.Schema):
    """One recorded value of a parameter."""

    value = fields.String(required=True)
    effective_from = IsoDate(required=True)
    source = fields.String(allow_none=True)
    recorded_at = Instant(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    superseded_at = Instant(allow_none=True)


class ParameterRecorded(ParameterValue):
    """A value just recorded by staff."""

    name = fields.String(required=True)


class ParameterInForce(ma.Schema):
    """A parameter's value on a date."""

    name = fields.String(required=True)
    on = IsoDate(required=True)
    value = fields.String(required=True)
    effective_from = IsoDate(required=True)
    source = fields.String(allow_none=True)


class ParameterWithHistory(ma.Schema):
    """A parameter's value on a date, and every value recorded for it."""

    name = fields.String(required=True)
    on = IsoDate(required=True)
    value = fields.String(required=True)
    history = fields.List(fields.Nested(ParameterValue), required=True)


class ParameterChanged(ma.Schema):
    """Staff recorded a new dated value of a parameter (its full name, ``<service>.<name>``)."""

    name = fields.String(required=True)
    value = fields.String(required=True)
    effective_from = IsoDate(required=True)


for _owner in OWNERS:
    event_schema(_owner, "parameter_changed", example=EXAMPLE)(ParameterChanged)
