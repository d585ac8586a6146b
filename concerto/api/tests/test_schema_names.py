"""Two response schemas with one name end up as one component in the OpenAPI document, and clients
(and schemathesis) then check one endpoint's answers against the other's shape: names must be unique."""

import inspect
from collections import defaultdict

from ninja import Schema

from concerto.api import (
    campaigns,
    joining,
    letters,
    live_event,
    me,
    proposals,
    schemas,
    selection,
    team,
    volunteers,
    workshops,
    workshops_wall,
)


def test_every_api_schema_has_its_own_name():
    places = defaultdict(set)
    for module in (campaigns, joining, letters, live_event, me, proposals, schemas, selection, team, volunteers, workshops,
                   workshops_wall):
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Schema) and value is not Schema:
                places[value.__name__].add(f"{value.__module__}.{value.__qualname__}")
    assert {name: where for name, where in places.items() if len(where) > 1} == {}
