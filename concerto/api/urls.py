"""The JSON API, mounted at ``/api/v1/`` by ``config.urls``. OpenAPI document: ``/api/v1/openapi.json``.

No interactive docs page: it would load scripts from a CDN, which our Content-Security-Policy forbids.
"""

from ninja import NinjaAPI, Router

from concerto.core.errors import NotFound

from . import (
    campaigns,
    joining,
    letters,
    live_event,
    me,
    proposals,
    selection,
    synthesis_amend,
    synthesis_documents,
    synthesis_followup,
    synthesis_opendata,
    team,
    volunteers,
    workshops,
    workshops_wall,
)
from .errors import install as install_error_handlers

api = NinjaAPI(
    urls_namespace="api",
    title="Concerto API",
    version="1",
    docs_url=None,
    description=(
        "Read campaigns, actions and comments anonymously; support, propose, comment and report "
        "with a personal token sent as `Authorization: Bearer <token>`. The API never uses the "
        "session cookie, so no CSRF token is needed. Errors are JSON: "
        '`{"code": ..., "message": ..., "errors": {...}}`.'
    ),
)
install_error_handlers(api)

api.add_router("/campaigns", campaigns.router)
api.add_router("/campaigns", proposals.router)
api.add_router("/campaigns", letters.router)
api.add_router("/campaigns", joining.router)
api.add_router("/campaigns", volunteers.router)
api.add_router("/campaigns", selection.router)
api.add_router("/campaigns", team.router)
# A workshop's wall: minutes, ideas, themes, votes (the sessions: workshops.py).
api.add_router("/campaigns", workshops_wall.router)
api.add_router("/campaigns", workshops.router)
# The candidates' TV set: read like the live page, run with a facilitator's token.
api.add_router("/campaigns", live_event.router)
api.add_router("/campaigns", synthesis_amend.router)
api.add_router("/campaigns", synthesis_opendata.router)
api.add_router("/campaigns", synthesis_followup.router)
api.add_router("/campaigns", synthesis_documents.router)
api.add_router("/me", me.router)


# Last: any other path under /api/v1/ answers the JSON 404, not the website's HTML page.
fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None,
                        include_in_schema=False)


def unknown_path(request, rest: str):
    raise NotFound()


api.add_router("", fallback)
