"""Every URL and every API operation × every role → the expected answer, generated from the URL
configuration so that a new URL cannot ship unclassified.

The rows are discovered by walking ``get_resolver()`` (all Django URL patterns) and the
django-ninja routers of ``concerto.api.urls.api`` (every path operation and method, including
the JSON 404 fallback that is left out of the OpenAPI document). ``test_every_url_and_operation_is_classified``
fails when one of them has no row in ``MATRIX`` below, or when a row names a URL that no longer exists.

A cell is what the role gets:

* the status code;
* ``>login`` when the answer redirects to the sign-in page;
* ``+`` when the act took effect (a support, a comment, a token, a session…), for rows that have an
  effect probe in ``EFFECTS``. ``302`` alone on such a row means "redirected back with an error
  message and nothing changed".

Each role acts on the same world: every request runs in a savepoint rolled back afterwards.
Web pages use the session cookie; the API uses a Bearer token per role (it ignores sessions).
"""

import contextlib
import json
import re
import uuid
from uuid import uuid4

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from concerto.api.urls import api
from concerto.campaigns.models import Campaign, ConsentText
from concerto.core.models import AuditEntry
from concerto.letters.models import (
    CodeUse,
    Household,
    HouseholdImport,
    InvitationCode,
    LetterBatch,
    LetterSettings,
    StreetRule,
)
from concerto.proposals.models import (
    Action,
    Comment,
    CommentReport,
    Support,
)
from concerto.proposals.services import support_add
from concerto.residents.models import ApiToken, Membership, SignInLink, TeamInvitation, User
from concerto.selection.models import Selection, SelectionSeat
from concerto.volunteers.models import Volunteer, VolunteerCall

from .conftest import PIN, ROLES, undone

API_PREFIX = "/api/v1"

# --------------------------------------------------------------------------------------------------
# The table. Columns, in order:
#   visitor  resident  resident_elsewhere  ambassador  candidate  moderator  facilitator  organiser
# Web pages are named "METHOD namespace:name" and list GET and POST (405 is an answer too);
# API operations are named "METHOD /api/v1/path" exactly as django-ninja routes them.
# --------------------------------------------------------------------------------------------------
MATRIX = {
    # Infrastructure.
    "GET healthz":                        "200       200       200       200       200       200       200       200",
    # A POST without CSRF token is refused by the middleware (see test_csrf); the test client here skips CSRF.
    "POST healthz":                       "200       200       200       200       200       200       200       200",
    # A plain link switches the language (a preference cookie, nothing else).
    "GET set_language":                   "302+      302+      302+      302+      302+      302+      302+      302+",
    "POST set_language":                  "302       302       302       302       302       302       302       302",
    # Live updates (docs/live.md): a pending contribution's topic, for who may see it only (404 to
    # anyone else); the test client is WSGI, where an allowed stream answers 503 (served over ASGI).
    "GET live:stream":                    "404       404       404       404       404       503       404       503",
    "POST live:stream":                   "405       405       405       405       405       405       405       405",
    "GET api:openapi-json":               "200       200       200       200       200       200       200       200",
    "POST api:openapi-json":              "200       200       200       200       200       200       200       200",
    # No docs page (it would need a CDN script): the API root answers the JSON 404.
    "GET api:api-root":                   "404       404       404       404       404       404       404       404",
    "POST api:api-root":                  "404       404       404       404       404       404       404       404",
    # Sign-in and sign-out.
    "GET residents:sign_in":              "200       200       200       200       200       200       200       200",
    "POST residents:sign_in":             "200+      200+      200+      200+      200+      200+      200+      200+",
    "GET residents:sign_in_password":     "200       200       200       200       200       200       200       200",
    "POST residents:sign_in_password":    "302+      302+      302+      302+      302+      302+      302+      302+",
    "GET residents:link":                 "200       200       200       200       200       200       200       200",
    "POST residents:link":                "302+      302+      302+      302+      302+      302+      302+      302+",
    "GET residents:sign_out":             "405       405       405       405       405       405       405       405",
    "POST residents:sign_out":            "302       302+      302+      302+      302+      302+      302+      302+",
    # Staff passwords: "forgot your password?" answers alike for every address (Gaston's here); the link
    # sets a password and signs its owner in, whoever was signed in before. Changing one's password needs
    # one (residents have none: 404); the body's current password is nobody's here, so staff get 400.
    "GET residents:password_reset":       "200       200       200       200       200       200       200       200",
    "POST residents:password_reset":      "200+      200+      200+      200+      200+      200+      200+      200+",
    "GET residents:password_reset_confirm": "200     200       200       200       200       200       200       200",
    "POST residents:password_reset_confirm": "302+   302+      302+      302+      302+      302+      302+      302+",
    "GET residents:password_change":      "302>login 404       404       200       200       200       200       200",
    "POST residents:password_change":     "302>login 404       404       400       400       400       400       400",
    # The team: organisers of the campaign only (404 to anyone else). The invitation link is for an
    # address without account: a visitor creates it and is signed in; anyone signed in as someone else
    # reads that they must sign out first (400 on POST, nothing changes).
    "GET residents:team":                 "302>login 404       404       404       404       404       404       200",
    "POST residents:team":                "302>login 404       404       404       404       404       404       302+",
    "GET residents:team_resend":          "302>login 405       405       405       405       405       405       405",
    "POST residents:team_resend":         "302>login 404       404       404       404       404       404       302+",
    "GET residents:team_revoke":          "302>login 405       405       405       405       405       405       405",
    "POST residents:team_revoke":         "302>login 404       404       404       404       404       404       302+",
    "GET residents:team_role_remove":     "302>login 405       405       405       405       405       405       405",
    "POST residents:team_role_remove":    "302>login 404       404       404       404       404       404       302+",
    "GET residents:team_accept":          "200       200       200       200       200       200       200       200",
    "POST residents:team_accept":         "302+      400       400       400       400       400       400       400",
    # Public pages.
    "GET dashboard:index":                "200       200       200       200       200       200       200       200",
    "POST dashboard:index":               "405       405       405       405       405       405       405       405",
    "GET dashboard:campaign_home":        "200       200       200       200       200       200       200       200",
    "POST dashboard:campaign_home":       "405       405       405       405       405       405       405       405",
    "GET proposals:list":                 "200       200       200       200       200       200       200       200",
    "POST proposals:list":                "405       405       405       405       405       405       405       405",
    "GET proposals:detail":               "200       200       200       200       200       200       200       200",
    "POST proposals:detail":              "405       405       405       405       405       405       405       405",
    # Taking part. Someone signed in elsewhere joins as a resident; candidates never take part.
    "GET proposals:support":              "405       405       405       405       405       405       405       405",
    "POST proposals:support":             "302>login 302+      302+      302+      302       302+      302+      302+",
    "GET proposals:comment":              "405       405       405       405       405       405       405       405",
    "POST proposals:comment":             "302>login 302+      302+      302+      403       302+      302+      302+",
    "GET proposals:report":               "302>login 405       405       405       405       405       405       405",
    "POST proposals:report":              "302>login 302+      302+      302+      302+      302+      302+      302+",
    "GET proposals:propose":              "302>login 200       200       200       403       200       200       200",
    "POST proposals:propose":             "302>login 302+      302+      302+      403       302+      302+      302+",
    # "Already proposed?": published titles only, so public (the proposal form calls it while one types).
    "GET proposals:similar":              "200       200       200       200       200       200       200       200",
    "POST proposals:similar":             "405       405       405       405       405       405       405       405",
    # Withdrawing a pending contribution: its author alone (Alice here, see PREPARE). Moderators see it and are
    # told why not; to anyone else it does not exist.
    "GET proposals:withdraw":             "302>login 405       405       405       405       405       405       405",
    "POST proposals:withdraw":            "302>login 302+      404       404       404       302       404       302",
    # Moderation: moderators and organisers; 404 to others, so the queue's existence is not revealed.
    "GET proposals:moderation":           "302>login 404       404       404       404       200       404       200",
    "POST proposals:moderation":          "302>login 405       405       405       405       405       405       405",
    "GET proposals:moderate_action":      "302>login 405       405       405       405       405       405       405",
    "POST proposals:moderate_action":     "302>login 404       404       404       404       302+      404       302+",
    "GET proposals:moderation_merge":     "302>login 404       404       404       404       200       404       200",
    "POST proposals:moderation_merge":    "302>login 405       405       405       405       405       405       405",
    "GET proposals:moderation_edit":      "302>login 404       404       404       404       200       404       200",
    "POST proposals:moderation_edit":     "302>login 404       404       404       404       302+      404       302+",
    "GET proposals:moderate_comment":     "302>login 405       405       405       405       405       405       405",
    "POST proposals:moderate_comment":    "302>login 404       404       404       404       302+      404       302+",
    "GET dashboard:journal":              "302>login 404       404       404       404       404       404       200",
    "POST dashboard:journal":             "302>login 405       405       405       405       405       405       405",
    # The campaign back office (dashboard/views_campaigns.py): the campaign's organisers and its organisation's
    # administrators; 404 to anyone else. Creating is for organisation administrators only: nobody in this
    # world is one (see concerto/dashboard/tests/test_views_campaigns.py), so the organiser gets 404 too.
    "GET dashboard:campaigns_manage":     "302>login 404       404       404       404       404       404       200",
    "POST dashboard:campaigns_manage":    "302>login 405       405       405       405       405       405       405",
    "GET dashboard:campaign_new":         "302>login 404       404       404       404       404       404       404",
    "POST dashboard:campaign_new":        "302>login 404       404       404       404       404       404       404",
    "GET dashboard:campaign_edit":        "302>login 404       404       404       404       404       404       200",
    "POST dashboard:campaign_edit":       "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:campaign_archive":     "302>login 405       405       405       405       405       405       405",
    "POST dashboard:campaign_archive":    "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:campaign_restore":     "302>login 405       405       405       405       405       405       405",
    "POST dashboard:campaign_restore":    "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:campaign_consent":     "302>login 404       404       404       404       404       404       200",
    "POST dashboard:campaign_consent":    "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:campaign_checklist":   "302>login 404       404       404       404       404       404       200",
    "POST dashboard:campaign_checklist":  "302>login 405       405       405       405       405       405       405",
    # Each campaign's legal and privacy notices: public.
    "GET dashboard:campaign_legal_notice":   "200       200       200       200       200       200       200       200",
    "POST dashboard:campaign_legal_notice":  "405       405       405       405       405       405       405       405",
    "GET dashboard:campaign_privacy_notice": "200       200       200       200       200       200       200       200",
    "POST dashboard:campaign_privacy_notice": "405       405       405       405       405       405       405       405",
    # The calendar, themes and sectors of a campaign (dashboard/views_calendar.py): organisers only.
    "GET dashboard:calendar":             "302>login 404       404       404       404       404       404       200",
    "POST dashboard:calendar":            "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:phase_edit":           "302>login 404       404       404       404       404       404       200",
    "POST dashboard:phase_edit":          "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:phase_delete":         "302>login 404       404       404       404       404       404       200",
    "POST dashboard:phase_delete":        "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:themes":               "302>login 404       404       404       404       404       404       200",
    "POST dashboard:themes":              "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:theme_edit":           "302>login 404       404       404       404       404       404       200",
    "POST dashboard:theme_edit":          "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:theme_move":           "302>login 405       405       405       405       405       405       405",
    "POST dashboard:theme_move":          "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:theme_delete":         "302>login 404       404       404       404       404       404       200",
    "POST dashboard:theme_delete":        "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:sectors":              "302>login 404       404       404       404       404       404       200",
    "POST dashboard:sectors":             "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:sector_edit":          "302>login 404       404       404       404       404       404       200",
    "POST dashboard:sector_edit":         "302>login 404       404       404       404       404       404       302+",
    "GET dashboard:sector_delete":        "302>login 404       404       404       404       404       404       200",
    "POST dashboard:sector_delete":       "302>login 404       404       404       404       404       404       302+",
    # Mon espace: one's own data only. The token row revokes the resident's (Alice's) token: only she can.
    "GET dashboard:me":                   "302>login 200       200       200       200       200       200       200",
    "POST dashboard:me":                  "302>login 405       405       405       405       405       405       405",
    "GET dashboard:me_profile":           "302>login 405       405       405       405       405       405       405",
    "POST dashboard:me_profile":          "302>login 302+      302+      302+      302+      302+      302+      302+",
    "GET dashboard:me_token_create":      "302>login 405       405       405       405       405       405       405",
    "POST dashboard:me_token_create":     "302>login 302+      302+      302+      302+      302+      302+      302+",
    "GET dashboard:me_token_revoke":      "302>login 405       405       405       405       405       405       405",
    "POST dashboard:me_token_revoke":     "302>login 302+      302       302       302       302       302       302",
    "GET dashboard:me_data":              "302>login 200       200       200       200       200       200       200",
    "POST dashboard:me_data":             "302>login 405       405       405       405       405       405       405",
    "GET dashboard:me_export":            "302>login 200       200       200       200       200       200       200",
    "POST dashboard:me_export":           "302>login 405       405       405       405       405       405       405",
    "GET dashboard:me_delete":            "302>login 200       200       200       200       200       200       200",
    "POST dashboard:me_delete":           "302>login 302+      302+      302+      302+      302+      302+      302+",
    # API reads: anonymous or with a token.
    "GET /api/v1/campaigns":                                        "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}":                                 "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/stats":                           "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/themes":                          "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/actions":                         "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/actions/{action_id}":             "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/actions/{action_id}/comments":    "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/actions/similar":                 "200  200  200  200  200  200  200  200",
    # API writes: a token is needed; the same rules as the pages.
    "POST /api/v1/campaigns/{slug}/actions":                        "401  201+ 201+ 201+ 403  201+ 201+ 201+",
    "POST /api/v1/campaigns/{slug}/actions/{action_id}/support":    "401  201+ 201+ 201+ 403  201+ 201+ 201+",
    "DELETE /api/v1/campaigns/{slug}/actions/{action_id}/support":  "401  204+ 204+ 204+ 404  204+ 204+ 204+",
    "POST /api/v1/campaigns/{slug}/actions/{action_id}/comments":   "401  201+ 201+ 201+ 403  201+ 201+ 201+",
    "POST /api/v1/campaigns/{slug}/comments/{comment_id}/report":   "401  201+ 201+ 201+ 201+ 201+ 201+ 201+",
    # Its author alone (Alice, see PREPARE); moderators are told why not (403), anyone else: it does not exist.
    "POST /api/v1/campaigns/{slug}/actions/{action_id}/withdraw":   "401  200+ 404  404  404  403  404  403",
    # API: the caller's own account.
    "GET /api/v1/me":                                               "401  200  200  200  200  200  200  200",
    "GET /api/v1/me/supports":                                      "401  200  200  200  200  200  200  200",
    "GET /api/v1/me/contributions":                                 "401  200  200  200  200  200  200  200",
    # Letters (households, codes, PDF batches, tracking): organisers of the campaign only. A visitor is sent to
    # sign in; anyone else, the organiser of another campaign included, gets 404, as for a page that does not
    # exist (the refusal rule, docs/architecture.md): the same answer on the API rows below.
    "GET letters:batch":                  "302>login 404       404       404       404       404       404       200",
    "POST letters:batch":                 "302>login 405       405       405       405       405       405       405",
    "GET letters:batch_download":         "302>login 404       404       404       404       404       404       200",
    "POST letters:batch_download":        "302>login 405       405       405       405       405       405       405",
    "GET letters:batch_progress":         "302>login 404       404       404       404       404       404       200",
    "POST letters:batch_progress":        "302>login 405       405       405       405       405       405       405",
    "GET letters:batch_retry":            "302>login 405       405       405       405       405       405       405",
    "POST letters:batch_retry":           "302>login 404       404       404       404       404       404       302+",
    "GET letters:batch_sent":             "302>login 405       405       405       405       405       405       405",
    "POST letters:batch_sent":            "302>login 404       404       404       404       404       404       302+",
    "GET letters:batches":                "302>login 404       404       404       404       404       404       200",
    "POST letters:batches":               "302>login 404       404       404       404       404       404       302+",
    "GET letters:household":              "302>login 404       404       404       404       404       404       200",
    "POST letters:household":             "302>login 405       405       405       405       405       405       405",
    "GET letters:household_reissue":      "302>login 405       405       405       405       405       405       405",
    "POST letters:household_reissue":     "302>login 404       404       404       404       404       404       302+",
    # Correcting households (issue 10). Delete acts on the one vacant household (see HOUSEHOLD_FOR); undo on the
    # pending import, confirmed first (PREPARE); the export page warns (GET), its POST streams the CSV (audited).
    "GET letters:household_edit":         "302>login 405       405       405       405       405       405       405",
    "POST letters:household_edit":        "302>login 404       404       404       404       404       404       302+",
    "GET letters:household_sector":       "302>login 405       405       405       405       405       405       405",
    "POST letters:household_sector":      "302>login 404       404       404       404       404       404       302+",
    "GET letters:household_delete":       "302>login 405       405       405       405       405       405       405",
    "POST letters:household_delete":      "302>login 404       404       404       404       404       404       302+",
    "GET letters:households_export":      "302>login 404       404       404       404       404       404       200",
    "POST letters:households_export":     "302>login 404       404       404       404       404       404       200+",
    "GET letters:import_undo":            "302>login 404       404       404       404       404       404       200",
    "POST letters:import_undo":           "302>login 404       404       404       404       404       404       302+",
    "GET letters:import_rejected":        "302>login 404       404       404       404       404       404       200",
    "POST letters:import_rejected":       "302>login 405       405       405       405       405       405       405",
    "GET letters:households":             "302>login 404       404       404       404       404       404       200",
    "POST letters:households":            "302>login 405       405       405       405       405       405       405",
    "GET letters:import":                 "302>login 404       404       404       404       404       404       200",
    "POST letters:import":                "302>login 404       404       404       404       404       404       302+",
    "GET letters:import_confirm":         "302>login 405       405       405       405       405       405       405",
    "POST letters:import_confirm":        "302>login 404       404       404       404       404       404       302+",
    "GET letters:import_preview":         "302>login 404       404       404       404       404       404       200",
    "POST letters:import_preview":        "302>login 405       405       405       405       405       405       405",
    "GET letters:preview":                "302>login 404       404       404       404       404       404       200",
    "POST letters:preview":               "302>login 405       405       405       405       405       405       405",
    "GET letters:settings":               "302>login 404       404       404       404       404       404       200",
    "POST letters:settings":              "302>login 404       404       404       404       404       404       302+",
    "GET letters:street_rule_delete":     "302>login 405       405       405       405       405       405       405",
    "POST letters:street_rule_delete":    "302>login 404       404       404       404       404       404       302+",
    "GET letters:street_rules":           "302>login 404       404       404       404       404       404       200",
    "POST letters:street_rules":          "302>login 404       404       404       404       404       404       302+",
    "GET letters:street_rules_apply":     "302>login 405       405       405       405       405       405       405",
    "POST letters:street_rules_apply":    "302>login 404       404       404       404       404       404       302+",
    "GET letters:tracking":               "302>login 404       404       404       404       404       404       200",
    "POST letters:tracking":              "302>login 405       405       405       405       405       405       405",
    # Joining with a letter code: anyone but the campaign's candidates. A visitor's code step shows the
    # details form (nothing happens yet); signed in, the code is redeemed at once (a CodeUse row).
    # Signing in with code + PIN works whoever was signed in before (the session key rotates).
    "GET joining:join":                   "200       200       200       200       200       200       200       200",
    "POST joining:join":                  "200       302+      302+      302+      403       302+      302+      302+",
    "GET joining:join_link":              "200       200       200       200       200       200       200       200",
    "POST joining:join_link":             "302+      302+      302+      302+      302+      302+      302+      302+",
    "GET joining:pin_sign_in":            "200       200       200       200       200       200       200       200",
    "POST joining:pin_sign_in":           "302+      302+      302+      302+      302+      302+      302+      302+",
    # Resetting a forgotten PIN (Gilles's, with his household's code): organisers only, the new PIN on the page.
    "GET joining:pin_reset":              "302>login 404       404       404       404       404       404       200",
    "POST joining:pin_reset":             "302>login 404       404       404       404       404       404       200+",
    # Volunteering: the form is for residents verified by letter (Alice joined with her household's code):
    # everyone else reads why not (403 on GET, redirected with the reason on POST, nothing saved).
    # The call, the list and the export: organisers only, 404 to anyone else (volunteers/views.py).
    "GET volunteering:call":              "302>login 404       404       404       404       404       404       200",
    "POST volunteering:call":             "302>login 404       404       404       404       404       404       302+",
    "GET volunteering:export":            "302>login 404       404       404       404       404       404       200",
    "POST volunteering:export":           "302>login 405       405       405       405       405       405       405",
    "GET volunteering:form":              "302>login 200       403       403       403       403       403       403",
    "POST volunteering:form":             "302>login 302+      302       302       302       302       302       302",
    "GET volunteering:list":              "302>login 404       404       404       404       404       404       200",
    "POST volunteering:list":             "302>login 405       405       405       405       405       405       405",
    "GET volunteering:withdraw":          "302>login 405       405       405       405       405       405       405",
    "POST volunteering:withdraw":         "302>login 302+      302       302       302       302       302       302",
    # Selections: the list, the audit page and its files are public once published (the drawn selection
    # here; drafts: see test_visibility). Every organiser step answers 404 to anyone else.
    "GET selection:answer":               "200       200       200       200       200       200       200       200",
    "POST selection:answer":              "302+      302+      302+      302+      302+      302+      302+      302+",
    "GET selection:archive":              "302>login 404       404       404       404       404       404       200",
    "POST selection:archive":             "302>login 404       404       404       404       404       404       302+",
    "GET selection:delete":               "302>login 404       404       404       404       404       404       200",
    "POST selection:delete":              "302>login 404       404       404       404       404       404       302+",
    "GET selection:lookup":               "200       200       200       200       200       200       200       200",
    "POST selection:lookup":              "405       405       405       405       405       405       405       405",
    "GET selection:message":              "302>login 404       404       404       404       404       404       200",
    "POST selection:message":             "302>login 404       404       404       404       404       404       302+",
    # Workshops, the room (docs/workshops.md, "Running the wall"). Joining by room code is open to
    # anyone; who is not recognised asks with a first name and waits (a JoinRequest). Alice (the
    # resident column) is invited and has a seat; facilitators and organisers are sent to the console.
    "GET workshop_room:join":             "200       200       200       200       200       200       200       200",
    "POST workshop_room:join":            "302       302       302       302       302       302       302       302",
    "GET workshop_room:join_code":        "200       302       200       200       200       200       302       302",
    "POST workshop_room:join_code":       "302+      302       302+      302+      302+      302+      302       302",
    # No join request from this browser: back to the code's page.
    "GET workshop_room:join_wait":        "302       302       302       302       302       302       302       302",
    "POST workshop_room:join_wait":       "405       405       405       405       405       405       405       405",
    # The participant's wall: seat holders; others are sent to join (or to the console).
    "GET workshops:wall":                 "302       200       302       302       302       302       302       302",
    "POST workshops:wall":                "405       405       405       405       405       405       405       405",
    # Ideas: a seat holder posts; without a seat, redirected back with the reason and nothing stored;
    # facilitators post the team's notes (or for an attendee: proxy).
    "GET workshops:idea_add":             "405       405       405       405       405       405       405       405",
    "POST workshops:idea_add":            "302       302+      302       302       302       302       302+      302+",
    # One's own idea, while collecting: its author only (Alice).
    "GET workshops:my_idea_edit":         "405       405       405       405       405       405       405       405",
    "POST workshops:my_idea_edit":        "302       302+      302       302       302       302       302       302",
    "GET workshops:my_idea_delete":       "405       405       405       405       405       405       405       405",
    "POST workshops:my_idea_delete":      "302       302+      302       302       302       302       302       302",
    # The console, its buttons and the projector: facilitators and organisers (404 to anyone else).
    "GET workshops:console":              "404       404       404       404       404       404       200       200",
    "POST workshops:console":             "405       405       405       405       405       405       405       405",
    "GET workshops:phase_set":            "405       405       405       405       405       405       405       405",
    "POST workshops:phase_set":           "404       404       404       404       404       404       302+      302+",
    "GET workshops:names_set":            "405       405       405       405       405       405       405       405",
    "POST workshops:names_set":           "404       404       404       404       404       404       302+      302+",
    "GET workshops:timer_set":            "405       405       405       405       405       405       405       405",
    "POST workshops:timer_set":           "404       404       404       404       404       404       302+      302+",
    "GET workshops:join_request_decide":  "405       405       405       405       405       405       405       405",
    "POST workshops:join_request_decide": "404       404       404       404       404       404       302+      302+",
    "GET workshops:projector":            "404       404       404       404       404       404       200       200",
    "POST workshops:projector":           "405       405       405       405       405       405       405       405",
    "GET selection:workshop_panel":       "302>login 405       405       405       405       405       405       405",
    "POST selection:workshop_panel":      "302>login 404       404       404       404       404       404       302+",
    "GET selection:announce":             "302>login 405       405       405       405       405       405       405",
    "POST selection:announce":            "302>login 404       404       404       404       404       404       302+",
    "GET selection:audit_json":           "200       200       200       200       200       200       200       200",
    "POST selection:audit_json":          "405       405       405       405       405       405       405       405",
    "GET selection:cancel":               "302>login 405       405       405       405       405       405       405",
    "POST selection:cancel":              "302>login 404       404       404       404       404       404       302+",
    "GET selection:compute":              "302>login 405       405       405       405       405       405       405",
    "POST selection:compute":             "302>login 404       404       404       404       404       404       302+",
    "GET selection:create":               "302>login 404       404       404       404       404       404       200",
    "POST selection:create":              "302>login 404       404       404       404       404       404       302+",
    "GET selection:detail":               "200       200       200       200       200       200       200       200",
    "POST selection:detail":              "405       405       405       405       405       405       405       405",
    "GET selection:draw":                 "302>login 405       405       405       405       405       405       405",
    "POST selection:draw":                "302>login 404       404       404       404       404       404       302+",
    "GET selection:edit":                 "302>login 404       404       404       404       404       404       200",
    "POST selection:edit":                "302>login 404       404       404       404       404       404       302+",
    "GET selection:letters_pdf":          "302>login 404       404       404       404       404       404       200",
    "POST selection:letters_pdf":         "302>login 405       405       405       405       405       405       405",
    "GET selection:list":                 "200       200       200       200       200       200       200       200",
    "POST selection:list":                "405       405       405       405       405       405       405       405",
    "GET selection:manage":               "302>login 404       404       404       404       404       404       200",
    "POST selection:manage":              "302>login 405       405       405       405       405       405       405",
    "GET selection:notify":               "302>login 405       405       405       405       405       405       405",
    "POST selection:notify":              "302>login 404       404       404       404       404       404       302+",
    "GET selection:progress":             "302>login 404       404       404       404       404       404       200",
    "POST selection:progress":            "302>login 405       405       405       405       405       405       405",
    "GET selection:publish":              "302>login 405       405       405       405       405       405       405",
    "POST selection:publish":             "302>login 404       404       404       404       404       404       302+",
    "GET selection:relax":                "302>login 405       405       405       405       405       405       405",
    "POST selection:relax":               "302>login 404       404       404       404       404       404       302+",
    "GET selection:replace":              "302>login 405       405       405       405       405       405       405",
    "POST selection:replace":             "302>login 404       404       404       404       404       404       302+",
    "GET selection:verify_script":        "200       200       200       200       200       200       200       200",
    "POST selection:verify_script":       "405       405       405       405       405       405       405       405",
    # API: joining with a code (the token's owner), the format check (no lookup, public).
    "GET /api/v1/campaigns/{slug}/codes/check":                       "200       200       200       200       200       200       200       200",
    "POST /api/v1/campaigns/{slug}/join":                             "401       201+      201+      201+      403       201+      201+      201+",
    # API: households, codes, batches and letter figures: organisers only (404 to any other token, as on the site).
    "GET /api/v1/campaigns/{slug}/households":                        "401       404       404       404       404       404       404       200",
    "GET /api/v1/campaigns/{slug}/letters/batches":                   "401       404       404       404       404       404       404       200",
    "POST /api/v1/campaigns/{slug}/letters/batches":                  "401       404       404       404       404       404       404       202+",
    "GET /api/v1/campaigns/{slug}/letters/batches/{batch_id}":        "401       404       404       404       404       404       404       200",
    "GET /api/v1/campaigns/{slug}/letters/stats":                     "401       404       404       404       404       404       404       200",
    "PATCH /api/v1/campaigns/{slug}/households/{household_id}":       "401       404       404       404       404       404       404       200+",
    "DELETE /api/v1/campaigns/{slug}/households/{household_id}":      "401       404       404       404       404       404       404       204+",
    "POST /api/v1/campaigns/{slug}/households/imports/{import_id}/undo": "401     404       404       404       404       404       404       200+",
    # API: the call is public; the volunteers' list is the organisers' (404 to anyone else); /volunteers/me is one's own record
    # (404 when one has not volunteered: only Alice may, see the web rows).
    "GET /api/v1/campaigns/{slug}/volunteers":                        "401       404       404       404       404       404       404       200",
    "GET /api/v1/campaigns/{slug}/volunteers/call":                   "200       200       200       200       200       200       200       200",
    "GET /api/v1/campaigns/{slug}/volunteers/me":                     "401       200       404       404       404       404       404       404",
    "DELETE /api/v1/campaigns/{slug}/volunteers/me":                  "401       200+      404       404       404       404       404       404",
    "POST /api/v1/campaigns/{slug}/volunteers/me":                    "401       201+      403       403       403       403       403       403",
    # API: selections are public from publication on; the draw needs the organiser's token (404 to any other
    # token, as the site's draw button answers).
    "GET /api/v1/campaigns/{slug}/selections":                        "200       200       200       200       200       200       200       200",
    "GET /api/v1/campaigns/{slug}/selections/{selection_id}":         "200       200       200       200       200       200       200       200",
    "POST /api/v1/campaigns/{slug}/selections/{selection_id}/draw":   "401       404       404       404       404       404       404       200+",
    # API: the team, organisers only (404 to any other token, as on the team page).
    "GET /api/v1/campaigns/{slug}/team":                              "401       404       404       404       404       404       404       200",
    "POST /api/v1/campaigns/{slug}/team/invitations":                 "401       404       404       404       404       404       404       201+",
    "DELETE /api/v1/campaigns/{slug}/team/invitations/{invitation_id}": "401     404       404       404       404       404       404       204+",
    # Action sheets (workshops/views/sheets.py): the workshop's facilitators and the organisers, at the
    # sheets phase; anyone else gets the 404 page. Publishing turns the retained sheet into an action.
    "GET workshops:sheets":               "302>login 404       404       404       404       404       200       200",
    "POST workshops:sheets":              "302>login 405       405       405       405       405       405       405",
    "GET workshops:sheet_new":            "302>login 404       404       404       404       404       200       200",
    "POST workshops:sheet_new":           "302>login 404       404       404       404       404       302+      302+",
    "GET workshops:sheet_edit":           "302>login 404       404       404       404       404       200       200",
    "POST workshops:sheet_edit":          "302>login 404       404       404       404       404       302+      302+",
    "GET workshops:sheet_delete":         "302>login 404       404       404       404       404       200       200",
    "POST workshops:sheet_delete":        "302>login 404       404       404       404       404       302+      302+",
    "GET workshops:sheet_move":           "302>login 405       405       405       405       405       405       405",
    "POST workshops:sheet_move":          "302>login 404       404       404       404       404       302+      302+",
    "GET workshops:sheet_status":         "302>login 405       405       405       405       405       405       405",
    "POST workshops:sheet_status":        "302>login 404       404       404       404       404       302+      302+",
    "GET workshops:sheets_publish":       "302>login 404       404       404       404       404       200       200",
    "POST workshops:sheets_publish":      "302>login 404       404       404       404       404       302+      302+",
    # Minutes and exports (workshops/views/minutes.py): a draft (the wall is not closed) only for its
    # facilitators and the organisers; the PDF page says it is not ready yet. Public once closed
    # (tests in concerto/workshops/tests/test_minutes.py and test_exports.py).
    "GET workshops:minutes":              "404       404       404       404       404       404       200       200",
    "POST workshops:minutes":             "405       405       405       405       405       405       405       405",
    "GET workshops:minutes_pdf":          "404       404       404       404       404       404       200       200",
    "POST workshops:minutes_pdf":         "405       405       405       405       405       405       405       405",
    "GET workshops:export":               "404       404       404       404       404       404       200       200",
    "POST workshops:export":              "405       405       405       405       405       405       405       405",
    # API: the wall, public and the same for every token: ideas and themes from the reveal on, vote
    # totals once the vote is closed (this workshop is at the sheets phase), the minutes once closed.
    "GET /api/v1/campaigns/{slug}/workshops/{workshop_id}/ideas":   "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/workshops/{workshop_id}/themes":  "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/workshops/{workshop_id}/votes":   "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/workshops/{workshop_id}/minutes": "404  404  404  404  404  404  404  404",
    # Workshop sessions (workshops/views/sessions.py): the list and the public page for everyone; the
    # organisers' pages 404 to anyone else; attendance for facilitators and organisers; the personal
    # link is the proof (no account); a signed-in invitee answers on the workshop page.
    "GET workshops:list":                 "200       200       200       200       200       200       200       200",
    "POST workshops:list":                "405       405       405       405       405       405       405       405",
    "GET workshops:detail":               "200       200       200       200       200       200       200       200",
    "POST workshops:detail":              "405       405       405       405       405       405       405       405",
    "GET workshops:create":               "302>login 404       404       404       404       404       404       200",
    "POST workshops:create":              "302>login 404       404       404       404       404       404       302+",
    "GET workshops:rsvp":                 "302>login 405       405       405       405       405       405       405",
    "POST workshops:rsvp":                "302>login 302+      404       404       404       404       404       404",
    "GET workshops:manage":               "302>login 404       404       404       404       404       404       200",
    "POST workshops:manage":              "302>login 405       405       405       405       405       405       405",
    "GET workshops:manage_edit":          "302>login 404       404       404       404       404       404       200",
    "POST workshops:manage_edit":         "302>login 404       404       404       404       404       404       302+",
    "GET workshops:manage_agenda":        "302>login 404       404       404       404       404       404       200",
    "POST workshops:manage_agenda":       "302>login 404       404       404       404       404       404       302+",
    "GET workshops:manage_invite":        "302>login 405       405       405       405       405       405       405",
    "POST workshops:manage_invite":       "302>login 404       404       404       404       404       404       302+",
    "GET workshops:manage_send":          "302>login 405       405       405       405       405       405       405",
    "POST workshops:manage_send":         "302>login 404       404       404       404       404       404       302+",
    "GET workshops:manage_letters":       "302>login 405       405       405       405       405       405       405",
    "POST workshops:manage_letters":      "302>login 404       404       404       404       404       404       200+",
    "GET workshops:manage_cancel":        "302>login 404       404       404       404       404       404       200",
    "POST workshops:manage_cancel":       "302>login 404       404       404       404       404       404       302+",
    "GET workshops:attendance":           "302>login 404       404       404       404       404       200       200",
    "POST workshops:attendance":          "302>login 404       404       404       404       404       302+      302+",
    "GET workshops:walk_in":              "302>login 405       405       405       405       405       405       405",
    "POST workshops:walk_in":             "302>login 404       404       404       404       404       302+      302+",
    "GET workshop_room:join_token":       "200       200       200       200       200       200       200       200",
    "POST workshop_room:join_token":      "302+      302+      302+      302+      302+      302+      302+      302+",
    "GET /api/v1/campaigns/{slug}/workshops":                         "200       200       200       200       200       200       200       200",
    "GET /api/v1/campaigns/{slug}/workshops/{workshop_id}":           "200       200       200       200       200       200       200       200",
    # Issue 13, the ambassador's app (fieldwork/views/app.py): the shell and its data for the campaign's
    # ambassadors (404 to anyone else); the manifest and the service worker for everyone (nothing personal,
    # and a browser's update check must not fail with a session). The sync endpoint answers JSON: 401 signed
    # out, 403 with a code otherwise (not an ambassador; here the ambassador has no enrolled phone).
    "GET fieldwork:app":                  "302>login 404       404       200       404       404       404       404",
    "POST fieldwork:app":                 "302>login 405       405       405       405       405       405       405",
    "GET fieldwork:app_manifest":         "200       200       200       200       200       200       200       200",
    "POST fieldwork:app_manifest":        "405       405       405       405       405       405       405       405",
    "GET fieldwork:app_worker":           "200       200       200       200       200       200       200       200",
    "POST fieldwork:app_worker":          "405       405       405       405       405       405       405       405",
    "GET fieldwork:app_data":             "401       404       404       200       404       404       404       404",
    "POST fieldwork:app_data":            "405       405       405       405       405       405       405       405",
    "GET fieldwork:app_sync":             "405       405       405       405       405       405       405       405",
    "POST fieldwork:app_sync":            "401       403       403       403       403       403       403       403",
    # Issue 14, the audience side (live_event/views/public.py): the live page and the overlays are public;
    # a question needs a signed-in person who is not a candidate (here the event has questions open).
    "GET live_event:live":                "200       200       200       200       200       200       200       200",
    "POST live_event:live":               "405       405       405       405       405       405       405       405",
    "GET live_event:live_event":          "200       200       200       200       200       200       200       200",
    "POST live_event:live_event":         "405       405       405       405       405       405       405       405",
    "GET live_event:overlay_lower_third": "200       200       200       200       200       200       200       200",
    "POST live_event:overlay_lower_third": "405      405       405       405       405       405       405       405",
    "GET live_event:overlay_reactions":   "200       200       200       200       200       200       200       200",
    "POST live_event:overlay_reactions":  "405       405       405       405       405       405       405       405",
    "GET live_event:overlay_times":       "200       200       200       200       200       200       200       200",
    "POST live_event:overlay_times":      "405       405       405       405       405       405       405       405",
    "GET live_event:question_ask":        "302>login 405       405       405       405       405       405       405",
    "POST live_event:question_ask":       "302>login 302+      302+      302+      400       302+      302+      302+",
    # Issue 14, the live event in the API (concerto/api/live_event.py): reads public like the live page;
    # control for the campaign's facilitators and organisers (a write token), 404 to anyone else.
    "GET /api/v1/campaigns/{slug}/candidates":                        "200       200       200       200       200       200       200       200",
    "GET /api/v1/campaigns/{slug}/events":                            "200       200       200       200       200       200       200       200",
    "GET /api/v1/campaigns/{slug}/events/{event_id}":                 "200       200       200       200       200       200       200       200",
    "GET /api/v1/campaigns/{slug}/events/{event_id}/state":           "200       200       200       200       200       200       200       200",
    "GET /api/v1/campaigns/{slug}/events/{event_id}/positions":       "200       200       200       200       200       200       200       200",
    "POST /api/v1/campaigns/{slug}/events/{event_id}/start":          "401       404       404       404       404       404       200+      200+",
    "POST /api/v1/campaigns/{slug}/events/{event_id}/end":            "401       404       404       404       404       404       200+      200+",
    "POST /api/v1/campaigns/{slug}/events/{event_id}/on-air":         "401       404       404       404       404       404       200+      200+",
    "POST /api/v1/campaigns/{slug}/events/{event_id}/positions":      "401       404       404       404       404       404       200+      200+",
    "POST /api/v1/campaigns/{slug}/events/{event_id}/speaking":       "401       404       404       404       404       404       200+      200+",
    "GET /api/v1/campaigns/{slug}/events/{event_id}/turns":           "401       404       404       404       404       404       200       200",
    "POST /api/v1/campaigns/{slug}/events/{event_id}/turns/{turn_id}/correct": "401  404       404       404       404       404       200+      200+",
    # Any other path under /api/v1/: the JSON 404, whatever the method.
    "GET /api/v1/{path:rest}":                                      "404  404  404  404  404  404  404  404",
    "POST /api/v1/{path:rest}":                                     "404  404  404  404  404  404  404  404",
    "PUT /api/v1/{path:rest}":                                      "404  404  404  404  404  404  404  404",
    "PATCH /api/v1/{path:rest}":                                    "404  404  404  404  404  404  404  404",
    "DELETE /api/v1/{path:rest}":                                   "404  404  404  404  404  404  404  404",
}

# Form and JSON bodies: valid data, so that a role that is allowed succeeds.
CONTRIBUTION = {"title": "Des bancs à l'ombre", "summary": "Installer des bancs sous les platanes de la place.",
                "body": "Trois bancs *suffiraient*.", "place": "Place du marché"}
DATA = {
    "GET live:stream": lambda w: {"t": [f"action:{w.pending.pk}", f"figures:{w.campaign.slug}"]},
    "GET set_language": {"language": "en", "next": "/"},
    "POST set_language": {"language": "en", "next": "/"},
    "POST residents:sign_in": {"email": "quelquun@example.org"},
    "POST residents:sign_in_password": {"email": "gaston@example.org", "password": "gaston-password-123"},
    "POST dashboard:me_profile": {"display_name": "Nom public changé"},
    "POST dashboard:me_token_create": {"name": "Nouveau jeton"},
    "POST dashboard:me_delete": {"confirm": "SUPPRIMER"},
    "POST dashboard:campaign_new": {"name": "Campagne de la matrice", "slug": "campagne-matrice", "territory": "Aix",
                                    "support_level": "any", "languages": ["fr"]},
    "POST dashboard:campaign_edit": lambda w: {"name": "Nom changé par la matrice", "slug": w.campaign.slug,
                                               "territory": w.campaign.territory, "support_level": "any",
                                               "languages": ["fr", "en"]},
    "POST dashboard:campaign_consent": {"text": "Texte de consentement de la matrice."},
    "POST residents:password_reset": {"email": "gaston@example.org"},
    "POST residents:password_reset_confirm": {"password": "un-nouveau-mot-de-passe", "password_again": "un-nouveau-mot-de-passe"},
    "POST residents:password_change": {"current_password": "pas-le-bon-mot-de-passe", "password": "un-nouveau-mot-de-passe",
                                       "password_again": "un-nouveau-mot-de-passe"},
    "POST residents:team": {"email": "nouvelle-recrue@example.org", "role": "facilitator"},
    "POST residents:team_role_remove": {"role": "moderator"},
    "POST residents:team_accept": {"display_name": "Nouveau Membre", "password": "un-nouveau-mot-de-passe",
                                   "password_again": "un-nouveau-mot-de-passe"},
    "POST proposals:support": {"op": "add"},
    "POST proposals:comment": {"body": "Un commentaire pour la matrice."},
    "POST proposals:report": {"kind": "insult", "reason": "Propos déplacés"},
    "POST proposals:moderation_edit": {"title": "Proposition corrigée par la modération",
                                       "summary": "Une proposition que la modération a corrigée.", "body": "",
                                       "theme": ""},
    "POST proposals:propose": CONTRIBUTION,
    "POST proposals:moderate_action": {"decision": "publish"},
    "POST proposals:moderate_comment": {"decision": "hide", "reason": "Hors sujet"},
    "POST /api/v1/campaigns/{slug}/actions": CONTRIBUTION,
    "POST /api/v1/campaigns/{slug}/actions/{action_id}/comments": {"body": "Un commentaire par l'API."},
    "POST /api/v1/campaigns/{slug}/comments/{comment_id}/report": {"kind": "insult", "reason": "Propos déplacés"},
    "GET proposals:similar": {"title": "securiser la traverse"},
    "GET /api/v1/campaigns/{slug}/actions/similar": {"q": "securiser la traverse"},
}


def _session_key(w, role, client):
    """The session cookie: a sign-in sets a new one (the key rotates), a sign-out ends it."""
    from django.conf import settings

    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie is not None else None


# Effect probes: a value read before and after the request; "+" when it changed.
EFFECTS = {
    "POST live_event:question_ask": lambda w, role, c: apps.get_model("live_event.AudienceQuestion").objects.count(),
    "GET set_language": lambda w, role, c: c.cookies["django_language"].value if "django_language" in c.cookies else None,
    "POST set_language": lambda w, role, c: c.cookies["django_language"].value if "django_language" in c.cookies else None,
    "POST residents:sign_in": lambda w, role, c: SignInLink.objects.count(),
    "POST residents:sign_in_password": _session_key,
    "POST residents:link": _session_key,
    "POST residents:sign_out": _session_key,
    "POST dashboard:me_profile": lambda w, role, c: User.objects.filter(display_name="Nom public changé").count(),
    "POST dashboard:me_token_create": lambda w, role, c: ApiToken.objects.count(),
    "POST dashboard:me_token_revoke": lambda w, role, c: ApiToken.objects.get(pk=w.alice_token.pk).revoked_at,
    "POST dashboard:me_delete": lambda w, role, c: User.objects.count(),
    "POST dashboard:campaign_new": lambda w, role, c: Campaign.objects.count(),
    "POST dashboard:campaign_edit": lambda w, role, c: Campaign.objects.get(pk=w.campaign.pk).name,
    "POST dashboard:campaign_archive": lambda w, role, c: Campaign.objects.get(pk=w.campaign.pk).archived_at,
    "POST dashboard:campaign_restore": lambda w, role, c: Campaign.objects.get(pk=w.campaign.pk).archived_at,
    "POST dashboard:campaign_consent": lambda w, role, c: ConsentText.objects.count(),
    "POST residents:password_reset": lambda w, role, c: AuditEntry.objects.filter(
        code="residents.password.reset_requested").count(),
    "POST residents:password_reset_confirm": _session_key,
    "POST residents:password_change": lambda w, role, c: AuditEntry.objects.filter(code="residents.password.changed").count(),
    "POST residents:team": lambda w, role, c: TeamInvitation.objects.count(),
    "POST residents:team_resend": lambda w, role, c: TeamInvitation.objects.get(pk=w.invitation.pk).sent_count,
    "POST residents:team_revoke": lambda w, role, c: TeamInvitation.objects.get(pk=w.invitation.pk).revoked_at,
    "POST residents:team_role_remove": lambda w, role, c: Membership.objects.count(),
    "POST residents:team_accept": lambda w, role, c: Membership.objects.count(),
    "POST proposals:support": lambda w, role, c: Support.objects.count(),
    "POST proposals:comment": lambda w, role, c: Comment.objects.count(),
    "POST proposals:report": lambda w, role, c: CommentReport.objects.count(),
    "POST proposals:propose": lambda w, role, c: Action.objects.count(),
    "POST proposals:moderate_action": lambda w, role, c: Action.objects.get(pk=w.pending.pk).status,
    "POST proposals:moderate_comment": lambda w, role, c: Comment.objects.get(pk=w.comment.pk).status,
    "POST proposals:moderation_edit": lambda w, role, c: Action.objects.get(pk=w.pending.pk).title,
    "POST proposals:withdraw": lambda w, role, c: Action.objects.get(pk=w.pending.pk).status,
    "POST /api/v1/campaigns/{slug}/actions/{action_id}/withdraw":
        lambda w, role, c: Action.objects.get(pk=w.pending.pk).status,
    "POST /api/v1/campaigns/{slug}/actions": lambda w, role, c: Action.objects.count(),
    "POST /api/v1/campaigns/{slug}/actions/{action_id}/support": lambda w, role, c: Support.objects.count(),
    "DELETE /api/v1/campaigns/{slug}/actions/{action_id}/support": lambda w, role, c: Support.objects.count(),
    "POST /api/v1/campaigns/{slug}/actions/{action_id}/comments": lambda w, role, c: Comment.objects.count(),
    "POST /api/v1/campaigns/{slug}/comments/{comment_id}/report": lambda w, role, c: CommentReport.objects.count(),
}


def _support_first(w, role):
    """Withdrawing needs a support to withdraw: add one where the role may support."""
    user = w.users[role]
    if user is not None and role != "candidate":
        support_add(user=user, action=w.action)


def _archived(w, role):
    Campaign.objects.filter(pk=w.campaign.pk).update(archived_at=timezone.now())


def _alice_wrote_the_pending_one(w, role):
    """Withdrawing needs the author: Alice (the resident column) wrote the pending contribution."""
    Action.objects.filter(pk=w.pending.pk).update(author=w.users["resident"])


PREPARE = {"DELETE /api/v1/campaigns/{slug}/actions/{action_id}/support": _support_first,
           "POST dashboard:campaign_restore": _archived,
           "POST proposals:withdraw": _alice_wrote_the_pending_one,
           "POST /api/v1/campaigns/{slug}/actions/{action_id}/withdraw": _alice_wrote_the_pending_one}


# --------------------------------------------------------------------------------------------------
# Letters, joining, volunteering, selection: bodies, effect probes and preconditions
# --------------------------------------------------------------------------------------------------


def _csv_upload(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("nouveaux-foyers.csv", b"adresse;code_postal;ville\n"
                                       b"50 rue des Lavandes;13090;Aix\n", content_type="text/csv")}


def _selection_form(w, title="Sélection modifiée par la matrice"):
    from concerto.selection.selectors import quota_keys, selection_categories

    bounds = {(q["category"], q["value"]): q for q in w.draft_selection.quotas}
    data = {"title": title, "panel_size": "2", "time_limit": "20", "required_dates": [], "layout": ""}
    for i, key in enumerate(quota_keys(selection_categories(w.campaign))):
        q = bounds.get(key, {"min": 0, "max": 2})
        data[f"q{i}_min"], data[f"q{i}_max"] = str(q["min"]), str(q["max"])
    return data


VOLUNTEER_FORM = {"talents": ["dessin"], "availability": ["atelier-1", "atelier-2"], "q-age": "jeune",
                  "consent": "on"}
VOLUNTEER_JSON = {"talents": ["dessin"], "availability": ["atelier-1"], "profile": {"age": "senior"},
                  "consent": True}
DATA.update({
    "POST letters:settings": {"sender_lines": "Comité", "place": "Aix", "title": "Invitation changée",
                              "body": "Bonjour {nom}, votre code : {code}.", "signature": "Le comité",
                              "residents_per_code": "3", "support_level": "letter"},
    "POST letters:batches": {"kind": "invitation", "scope": "new", "accept_past_deadline": "on"},
    "POST letters:household_reissue": {"reason": "Lettre perdue"},
    "POST letters:household_edit": {"name": "Famille Corrigée", "address_line1": "17 bis rue des Lavandes",
                                    "postcode": "13090", "city": "Aix"},
    "POST letters:household_sector": lambda w: {"sector": str(w.sectors["sud"].pk)},
    "POST letters:household_delete": {"reason": "Logement vacant"},
    "PATCH /api/v1/campaigns/{slug}/households/{household_id}": {"city": "Aix-en-Provence", "sector": "sud"},
    "DELETE /api/v1/campaigns/{slug}/households/{household_id}": {"reason": "Logement vacant"},
    "POST letters:import": _csv_upload,
    "POST letters:street_rules": lambda w: {"street": "impasse des Pins", "sector": str(w.sectors["sud"].pk)},
    "POST selection:create": lambda w: _selection_form(w, "Nouvelle sélection de la matrice"),
    "POST selection:edit": _selection_form,
    "POST selection:announce": {"random_source": "Le loto de samedi", "witnesses": "Rachid B.",
                                "random_known_at": "2099-01-01T20:00", "format_kind": "lottery", "lottery_count": "5",
                                "lottery_low": "1", "lottery_high": "49"},
    "POST selection:draw": {"random_value": "1 2 3"},
    "GET selection:answer": lambda w: {"t": _answer_token(w)},
    "POST selection:answer": lambda w: {"t": _answer_token(w), "answer": "declined"},
    "GET selection:lookup": lambda w: {"pseudonyme": w.seat.volunteer.pseudonym},
    "POST selection:message": lambda w: {"workshop_place": "Maison de quartier",
                                         "workshop_starts_at": "2099-01-01T18:30", "notice_text": ""},
    "POST selection:notify": lambda w: {"previewed": _prepared_digest()},
    "POST volunteering:form": VOLUNTEER_FORM,
    "POST volunteering:call": {"op": "save", "is_open": "on", "intro": "Un appel changé par la matrice.",
                               "t-count": "2", "t-0-code": "dessin", "t-0-label": "Dessiner",
                               "t-1-code": "histoire", "t-1-label": "Histoire du quartier",
                               "d-count": "2", "d-0-code": "atelier-1", "d-0-label": "Samedi 14 mars",
                               "d-1-code": "atelier-2", "d-1-label": "Samedi 28 mars",
                               "q-count": "1", "q-0-code": "age", "q-0-label": "Âge", "q-0-o-count": "2",
                               "q-0-o-0-code": "jeune", "q-0-o-0-label": "Moins de 45 ans",
                               "q-0-o-1-code": "senior", "q-0-o-1-label": "45 ans et plus",
                               "consent_text": "J'accepte."},
    "POST joining:join": lambda w: {"code": w.free_code},
    "GET joining:join": lambda w: {"code": w.free_code},
    "POST joining:pin_sign_in": lambda w: {"code": w.codes[w.households[2].pk], "pin": PIN},
    "GET joining:pin_reset": lambda w: {"code": w.codes[w.households[2].pk]},
    "POST joining:pin_reset": lambda w: {"code": w.codes[w.households[2].pk], "user": w.gilles.pk, "mode": "generate"},
    "POST /api/v1/campaigns/{slug}/join": lambda w: {"code": w.free_code},
    "GET /api/v1/campaigns/{slug}/codes/check": lambda w: {"code": w.free_code},
    "POST /api/v1/campaigns/{slug}/letters/batches": {"kind": "invitation", "scope": "new"},
    "POST /api/v1/campaigns/{slug}/selections/{selection_id}/draw": {"random_value": "1 2 3"},
    "POST /api/v1/campaigns/{slug}/team/invitations": {"email": "recrue-api@example.org", "role": "ambassador"},
    "POST /api/v1/campaigns/{slug}/volunteers/me": VOLUNTEER_JSON,
})


def _answer_token(w):
    from concerto.selection.notifications import answer_token

    return answer_token(w.seat.pk)


def _prepared_digest():
    from concerto.selection.tests.factories import prepared_digest

    return prepared_digest()


def _selection_field(name, field):
    return lambda w, role, c: getattr(Selection.objects.get(pk=w[name].pk), field)


def _volunteers(**filters):
    return lambda w, role, c: Volunteer.objects.filter(campaign=w.campaign, **filters).count()


EFFECTS.update({
    "POST letters:settings": lambda w, role, c: LetterSettings.objects.get(campaign=w.campaign).title,
    "POST letters:batches": lambda w, role, c: LetterBatch.objects.count(),
    "POST letters:batch_sent": lambda w, role, c: LetterBatch.objects.get(pk=w.batch.pk).sent_at,
    "POST letters:batch_retry": lambda w, role, c: LetterBatch.objects.get(pk=w.batch.pk).status,
    "POST letters:household_reissue": lambda w, role, c: InvitationCode.objects.count(),
    "POST letters:household_edit": lambda w, role, c: Household.objects.get(pk=w.household.pk).name,
    "POST letters:household_sector": lambda w, role, c: Household.objects.get(pk=w.household.pk).sector_set_at,
    "POST letters:household_delete": lambda w, role, c: Household.objects.count(),
    "POST letters:households_export": lambda w, role, c: AuditEntry.objects.filter(
        code="letters.households.exported").count(),
    "POST letters:import_undo": lambda w, role, c: Household.objects.count(),
    "PATCH /api/v1/campaigns/{slug}/households/{household_id}": lambda w, role, c: Household.objects.get(
        pk=w.household.pk).city,
    "DELETE /api/v1/campaigns/{slug}/households/{household_id}": lambda w, role, c: Household.objects.count(),
    "POST /api/v1/campaigns/{slug}/households/imports/{import_id}/undo": lambda w, role, c: Household.objects.count(),
    "POST letters:import": lambda w, role, c: HouseholdImport.objects.count(),
    "POST letters:import_confirm": lambda w, role, c: Household.objects.count(),
    "POST letters:street_rules": lambda w, role, c: StreetRule.objects.count(),
    "POST letters:street_rule_delete": lambda w, role, c: StreetRule.objects.count(),
    "POST letters:street_rules_apply": lambda w, role, c: Household.objects.get(pk=w.household.pk).sector_id,
    "POST selection:create": lambda w, role, c: Selection.objects.count(),
    "POST selection:edit": _selection_field("draft_selection", "title"),
    "POST selection:compute": _selection_field("draft_selection", "computed_at"),
    "POST selection:cancel": _selection_field("draft_selection", "status"),
    "POST selection:relax": _selection_field("infeasible_selection", "status"),
    "POST selection:publish": _selection_field("computed_selection", "status"),
    "POST selection:announce": _selection_field("published_selection", "status"),
    "POST selection:draw": _selection_field("announced_selection", "status"),
    "POST selection:replace": lambda w, role, c: SelectionSeat.objects.get(pk=w.seat.pk).status,
    "POST selection:notify": lambda w, role, c: SelectionSeat.objects.filter(notified_at__isnull=False).count(),
    "POST selection:answer": lambda w, role, c: SelectionSeat.objects.get(pk=w.seat.pk).answer,
    "POST selection:archive": _selection_field("drawn_selection", "archived_at"),
    "POST selection:delete": lambda w, role, c: Selection.objects.count(),
    "POST selection:message": _selection_field("drawn_selection", "workshop_place"),
    "POST selection:workshop_panel": _selection_field("drawn_selection", "is_workshop_panel"),
    "POST volunteering:form": _volunteers(),
    "POST volunteering:withdraw": _volunteers(withdrawn_at__isnull=False),
    "POST volunteering:call": lambda w, role, c: VolunteerCall.objects.get(campaign=w.campaign).intro,
    "POST joining:join": lambda w, role, c: CodeUse.objects.count(),
    "POST joining:pin_sign_in": _session_key,
    "POST joining:pin_reset": lambda w, role, c: CodeUse.objects.get(user=w.gilles).pin_hash,
    "POST joining:join_link": _session_key,
    "POST /api/v1/campaigns/{slug}/join": lambda w, role, c: CodeUse.objects.count(),
    "POST /api/v1/campaigns/{slug}/letters/batches": lambda w, role, c: LetterBatch.objects.count(),
    "POST /api/v1/campaigns/{slug}/team/invitations": lambda w, role, c: TeamInvitation.objects.count(),
    "DELETE /api/v1/campaigns/{slug}/team/invitations/{invitation_id}": lambda w, role, c: TeamInvitation.objects.get(
        pk=w.invitation.pk).revoked_at,
    "POST /api/v1/campaigns/{slug}/selections/{selection_id}/draw": _selection_field("announced_selection", "status"),
    "POST /api/v1/campaigns/{slug}/volunteers/me": _volunteers(),
    "DELETE /api/v1/campaigns/{slug}/volunteers/me": _volunteers(withdrawn_at__isnull=False),
})


def _volunteer_first(w, role):
    """Withdrawing (or reading one's own answers) needs a volunteer: volunteer where the rules allow."""
    from concerto.core.errors import DomainError
    from concerto.volunteers.services import volunteer_save

    user = w.users[role]
    if user is not None:
        with contextlib.suppress(DomainError):
            volunteer_save(user=user, campaign=w.campaign, talents=["dessin"], availability=["atelier-1"],
                           profile={"age": "jeune"}, consent=True)


def _pending_import_confirmed(w, role):
    """Undoing needs an imported file: the pending one (two households nobody joined with), confirmed."""
    from concerto.letters.services import household_import_confirm

    household_import_confirm(user=w.users["organiser"], campaign=w.campaign, import_id=w.pending_import.pk)


def _batch_failed(w, role):
    LetterBatch.objects.filter(pk=w.batch.pk).update(status="failed", error="Typst a échoué.")


def _computing(w, role):
    Selection.objects.filter(pk=w.draft_selection.pk).update(status="computing")


def _household_without_sector(w, role):
    Household.objects.filter(pk=w.household.pk).update(sector=None)


def _notified(w, role):
    """The postal letters exist once the selected and reserve volunteers are notified (Gilles has no e-mail)."""
    from concerto.selection.services import selection_notify
    from concerto.selection.tests.factories import prepared_notice

    selection_notify(by=w.users["organiser"], selection=w.drawn_selection, audit_url="https://x.example/a",
                     language="fr", previewed=prepared_notice(w.drawn_selection, w.users["organiser"]))


def _notice_prepared(w, role):
    """Sending needs the first workshop's place and time, saved and previewed."""
    from concerto.selection.tests.factories import prepared_notice

    prepared_notice(w.drawn_selection, w.users["organiser"])


PREPARE.update({
    "POST volunteering:withdraw": _volunteer_first,
    "GET /api/v1/campaigns/{slug}/volunteers/me": _volunteer_first,
    "DELETE /api/v1/campaigns/{slug}/volunteers/me": _volunteer_first,
    "POST letters:batch_retry": _batch_failed,
    "GET letters:import_undo": _pending_import_confirmed,
    "POST letters:import_undo": _pending_import_confirmed,
    "POST /api/v1/campaigns/{slug}/households/imports/{import_id}/undo": _pending_import_confirmed,
    "POST selection:cancel": _computing,
    "POST letters:street_rules_apply": _household_without_sector,
    "GET selection:letters_pdf": _notified,
    "POST selection:notify": _notice_prepared,
})


# --------------------------------------------------------------------------------------------------
# Calendar, themes and sectors (dashboard/views_calendar.py): bodies, effect probes and preconditions
# --------------------------------------------------------------------------------------------------


def _phase(w, kind="live_event"):
    """The phase the edit and delete rows act on (the calendar row deletes and re-adds the synthesis)."""
    from concerto.campaigns.models import Phase

    return Phase.objects.get(campaign=w.campaign, kind=kind)


def _theme(w, slug="espaces-verts"):
    from concerto.proposals.models import Theme

    return Theme.objects.get(campaign=w.campaign, slug=slug)


def _local(dt) -> str:
    from django.utils import timezone

    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _phase_form(w, summary="Le plateau, changé par la matrice."):
    phase = _phase(w)
    return {"kind": phase.kind, "starts_at": _local(phase.starts_at), "ends_at": _local(phase.ends_at),
            "summary": summary}


def _no_synthesis(w, role):
    _phase(w, "synthesis").delete()


def _no_sector_quotas(w, role):
    for selection in Selection.objects.filter(campaign=w.campaign):
        selection.quotas = [q for q in selection.quotas if q["category"] != "sector"]
        selection.save(update_fields=["quotas"])


PATH_VALUES = {"phase_id": lambda w: _phase(w).pk, "theme_id": lambda w: _theme(w).pk,
               "sector_id": lambda w: w.sectors["nord"].pk}
DATA.update({
    "POST live_event:question_ask": lambda w: {"text": "Quand commencent les travaux ?",
                                               "client_id": str(uuid.uuid4())},
    "POST dashboard:calendar": {"kind": "synthesis", "starts_at": "2099-01-01T10:00", "ends_at": "2099-02-01T10:00",
                                "summary": "Le dossier final, ajouté par la matrice."},
    "POST dashboard:phase_edit": _phase_form,
    "POST dashboard:themes": {"name": "Culture et sport"},
    "POST dashboard:theme_edit": {"name": "Nature en ville"},
    "POST dashboard:theme_move": {"direction": "up"},
    "POST dashboard:theme_delete": lambda w: {"into": str(_theme(w, "mobilite").pk)},
    "POST dashboard:sectors": {"name": "Les Facultés"},
    "POST dashboard:sector_edit": {"name": "Nord renommé"},
    "POST dashboard:sector_delete": lambda w: {"into": str(w.sectors["sud"].pk)},
})


def _count(model_path):
    def probe(w, role, c):
        from django.apps import apps

        return apps.get_model(model_path).objects.count()

    return probe


EFFECTS.update({
    "POST dashboard:calendar": _count("campaigns.Phase"),
    "POST dashboard:phase_edit": lambda w, role, c: _phase(w).summary,
    "POST dashboard:phase_delete": _count("campaigns.Phase"),
    "POST dashboard:themes": _count("proposals.Theme"),
    "POST dashboard:theme_edit": lambda w, role, c: _theme(w).name,
    "POST dashboard:theme_move": lambda w, role, c: _theme(w).position,
    "POST dashboard:theme_delete": _count("proposals.Theme"),
    "POST dashboard:sectors": _count("campaigns.Sector"),
    "POST dashboard:sector_edit": lambda w, role, c: w.sectors["nord"].__class__.objects.get(pk=w.sectors["nord"].pk).name,
    "POST dashboard:sector_delete": _count("campaigns.Sector"),
})
PREPARE.update({
    "POST dashboard:calendar": _no_synthesis,
    "POST dashboard:sector_delete": _no_sector_quotas,
})

# Workshops, the room.
PATH_VALUES.update({"code": lambda w: w.workshop.room_code, "request_id": lambda w: w.join_request.pk})
# Each part of the workshops rows acts on its own workshop, at the phase its pages need.
ROOM_ROWS = {"workshop_room:join", "workshop_room:join_code", "workshop_room:join_wait", "workshops:wall",
             "workshops:console", "workshops:projector", "workshops:idea_add", "workshops:my_idea_edit",
             "workshops:my_idea_delete", "workshops:phase_set", "workshops:names_set", "workshops:timer_set",
             "workshops:join_request_decide"}
ROOM_VALUES = {"workshop_id": lambda w: w.workshop.pk, "idea_id": lambda w: w.alice_idea.pk}
DATA.update({
    "POST workshop_room:join": lambda w: {"code": w.workshop.room_code.lower()},
    "POST workshop_room:join_code": {"name": "Matrice"},
    "POST workshops:idea_add": {"prompt": "good", "text": "Une idée de la matrice",
                                "client_id": "7f1c1a52-5a1e-4d3e-9a40-2b9d8d1e0a01"},
    "POST workshops:my_idea_edit": {"prompt": "good", "text": "Changée par la matrice"},
    "POST workshops:phase_set": {"phase": "reveal"},
    "POST workshops:names_set": {"visible": "1"},
    "POST workshops:timer_set": {"minutes": "5"},
    "POST workshops:join_request_decide": {"decision": "walk_in"},
})


def _workshop_field(name):
    def probe(w, role, c):
        from concerto.workshops.models import Workshop

        return getattr(Workshop.objects.get(pk=w.workshop.pk), name)

    return probe


EFFECTS.update({
    "POST workshop_room:join_code": _count("workshops.JoinRequest"),
    "POST workshops:idea_add": _count("workshops.Idea"),
    "POST workshops:my_idea_edit": lambda w, role, c: w.alice_idea.__class__.objects.get(pk=w.alice_idea.pk).text,
    "POST workshops:my_idea_delete": _count("workshops.Idea"),
    "POST workshops:phase_set": _workshop_field("phase"),
    "POST workshops:names_set": _workshop_field("names_visible"),
    "POST workshops:timer_set": _workshop_field("timer_ends_at"),
    "POST workshops:join_request_decide": _count("workshops.Attendee"),
})


# --------------------------------------------------------------------------------------------------
# Workshops, cluster and dot-vote (workshops/views/vote.py): facilitators and organisers run the wall
# (404 to anyone else, the sign-in page for a visitor); dots are placed by the attendee's own seat
# (Alice here): anyone else is sent back with the reason, nothing placed (302 without "+").
# --------------------------------------------------------------------------------------------------

_RUNNER_POST = "302>login 404       404       404       404       404       302+      302+"
_RUNNER_GET = "302>login 405       405       405       405       405       405       405"
MATRIX.update({
    **{f"GET workshops:{name}": _RUNNER_GET for name in (
        "theme_add", "theme_edit", "idea_group", "idea_merge", "idea_unmerge", "idea_edit", "suggestion",
        "vote_settings")},
    **{f"POST workshops:{name}": _RUNNER_POST for name in (
        "theme_add", "theme_edit", "idea_group", "idea_merge", "idea_unmerge", "idea_edit", "suggestion",
        "vote_settings")},
    "GET workshops:dot_set":              "405       405       405       405       405       405       405       405",
    "POST workshops:dot_set":             "302       302+      302       302       302       302       302       302",
})


def _cluster_wall(w):
    """A workshop at the cluster step with Alice (the resident column) as attendee, two ideas and a
    theme; made once per test (the world is fresh for each)."""
    if "cluster_wall" not in w:
        import uuid

        from concerto.workshops.models import Attendee, Idea, WallTheme, Workshop
        from concerto.workshops.services import workshop_create

        start = timezone.now() + timezone.timedelta(hours=1)
        workshop = workshop_create(by=None, campaign=w.campaign, title="Atelier de la matrice", starts_at=start,
                                   ends_at=start + timezone.timedelta(hours=2), place="Salle des fêtes")
        Workshop.objects.filter(pk=workshop.pk).update(phase="cluster")
        alice = Attendee.objects.create(workshop=workshop, name="Alice", user=w.users["resident"], source="panel")
        ideas = [Idea.objects.create(workshop=workshop, attendee=alice, prompt="propose", text=text,
                                     client_id=uuid.uuid4(), position=i)
                 for i, text in enumerate(("Des bancs", "Plus de bancs"))]
        theme = WallTheme.objects.create(workshop=workshop, name="Bancs")
        w["cluster_wall"] = {"workshop": workshop, "ideas": ideas, "theme": theme}
    return w["cluster_wall"]


def _wall_field(model, field, which):
    def probe(w, role, c):
        from django.apps import apps

        obj = _cluster_wall(w)[which]
        obj = obj[0] if isinstance(obj, list) else obj
        return getattr(apps.get_model("workshops", model).objects.get(pk=obj.pk), field)

    return probe


def _wall_phase(phase):
    def prepare(w, role):
        from concerto.workshops.models import Workshop

        Workshop.objects.filter(pk=_cluster_wall(w)["workshop"].pk).update(phase=phase)

    return prepare


def _wall_merged(w, role):
    from concerto.workshops.models import Idea

    ideas = _cluster_wall(w)["ideas"]
    Idea.objects.filter(pk=ideas[0].pk).update(merged_into=ideas[1])


class _Lazy:
    """A path value made only when a URL uses it (reverse calls str()): the wall is not built for
    every other row of the table."""

    def __init__(self, make):
        self.make = make

    def __str__(self):
        return str(self.make())


PATH_VALUES.update({"wall_theme_id": lambda w: _Lazy(lambda: _cluster_wall(w)["theme"].pk)})
CLUSTER_ROWS = {"workshops:theme_add", "workshops:theme_edit", "workshops:idea_group", "workshops:idea_merge",
                "workshops:idea_unmerge", "workshops:idea_edit", "workshops:suggestion", "workshops:vote_settings",
                "workshops:dot_set"}
CLUSTER_VALUES = {"workshop_id": lambda w: _Lazy(lambda: _cluster_wall(w)["workshop"].pk),
                  "idea_id": lambda w: _Lazy(lambda: _cluster_wall(w)["ideas"][0].pk)}
DATA.update({
    "POST workshops:theme_add": {"name": "Thème de la matrice"},
    "POST workshops:theme_edit": {"action": "rename", "name": "Bancs renommés"},
    "POST workshops:idea_group": lambda w: {"theme": str(_cluster_wall(w)["theme"].pk)},
    "POST workshops:idea_merge": lambda w: {"into": str(_cluster_wall(w)["ideas"][1].pk)},
    "POST workshops:idea_edit": {"text": "Des bancs à l'ombre"},
    "POST workshops:suggestion": {"action": "dismiss", "key": "suggestion-de-la-matrice"},
    "POST workshops:vote_settings": {"dots_per_participant": "7", "max_dots_per_item": ""},
    "POST workshops:dot_set": lambda w: {"target": f"theme:{_cluster_wall(w)['theme'].pk}", "count": "2"},
})
EFFECTS.update({
    "POST workshops:theme_add": _count("workshops.WallTheme"),
    "POST workshops:theme_edit": _wall_field("WallTheme", "name", "theme"),
    "POST workshops:idea_group": _wall_field("Idea", "theme_id", "ideas"),
    "POST workshops:idea_merge": _wall_field("Idea", "merged_into_id", "ideas"),
    "POST workshops:idea_unmerge": _wall_field("Idea", "merged_into_id", "ideas"),
    "POST workshops:idea_edit": _wall_field("Idea", "text", "ideas"),
    "POST workshops:suggestion": _count("workshops.SuggestionDismissal"),
    "POST workshops:vote_settings": _wall_field("Workshop", "dots_per_participant", "workshop"),
    "POST workshops:dot_set": _count("workshops.Dot"),
})
PREPARE.update({
    "POST workshops:idea_unmerge": _wall_merged,
    "POST workshops:dot_set": _wall_phase("vote"),
})


# --------------------------------------------------------------------------------------------------
# Action sheets, minutes and exports of a workshop: bodies and effect probes
# --------------------------------------------------------------------------------------------------


def _sheet_field(field):
    def probe(w, role, c):
        from concerto.workshops.models import ActionSheet

        return getattr(ActionSheet.objects.get(pk=w.sheet.pk), field)

    return probe


SHEET_FORM = {"title": "Des bancs à l'ombre partout", "problem": "Il fait trop chaud sur la place.",
              "proposal": "Installer des bancs sous tous les platanes.", "actors": ["city"], "cost": "small",
              "horizon": "soon"}
PATH_VALUES.update({"sheet_id": lambda w: w.sheet.pk, "fmt": lambda w: "json"})
DATA.update({
    "POST workshops:sheet_new": lambda w: {**SHEET_FORM, "client_id": "6f1c1f5e-8b1e-4c2a-9d55-3d2f0a1b2c3d"},
    "POST workshops:sheet_edit": SHEET_FORM,
    "POST workshops:sheet_move": {"direction": "down"},
    "POST workshops:sheet_status": {"status": "retained"},
})
EFFECTS.update({
    "POST workshops:sheet_new": _count("workshops.ActionSheet"),
    "POST workshops:sheet_edit": _sheet_field("title"),
    "POST workshops:sheet_delete": _count("workshops.ActionSheet"),
    "POST workshops:sheet_move": _sheet_field("position"),
    "POST workshops:sheet_status": _sheet_field("status"),
    "POST workshops:sheets_publish": _count("proposals.Action"),
})


# --------------------------------------------------------------------------------------------------
# Workshop sessions (workshops/views/sessions.py): bodies, effect probes and preconditions
# --------------------------------------------------------------------------------------------------


def _workshop(w):
    """The session the rows act on (the drawn selection is its panel), with one walk-in whose
    personal link the token rows use; made once per test, before the rows' savepoints."""
    if "sessions_workshop" not in w:
        from datetime import timedelta

        from concerto.workshops import services as ws
        from concerto.workshops.models import Attendee

        starts = timezone.now() + timedelta(days=7)
        workshop = ws.workshop_create(by=w.users["organiser"], campaign=w.campaign, title="Atelier de la matrice",
                                      starts_at=starts, ends_at=starts + timedelta(hours=2), place="Maison de quartier",
                                      selection=w.drawn_selection, agenda=[("Accueil", 15)])
        # Written directly: some rows' preconditions (an archived campaign) refuse a walk-in.
        walk_in = Attendee.objects.create(workshop=workshop, name="Samir", source="walk_in", attendance="present")
        w["sessions_workshop"], w["workshop_walk_in"] = workshop, walk_in
        w["workshop_token"] = ws.attendee_token_issue(walk_in)
    return w["sessions_workshop"]


def _workshop_token(w):
    _workshop(w)
    return w["workshop_token"]


def _workshop_form(w, title="Atelier de la matrice"):
    return {"title": title, "date": "2099-03-12", "starts": "18:30", "ends": "20:30", "place": "Salle des fêtes",
            "selection": str(w.drawn_selection.pk)}


def _attendees(**filters):
    def probe(w, role, c):
        from concerto.workshops.selectors import attendee_list

        return sum(1 for a in attendee_list(_workshop(w)) if all(getattr(a, k) == v for k, v in filters.items()))

    return probe


def _panel_invited(w, role):
    from concerto.workshops.services import panel_invite

    panel_invite(by=w.users["organiser"], workshop=_workshop(w))


def _panel_invited_one_by_post(w, role):
    """Letters are for invitees without e-mail: one of the panel has none here."""
    from concerto.workshops.models import Attendee

    _panel_invited(w, role)
    Attendee.objects.filter(pk=Attendee.objects.filter(workshop=_workshop(w), source="panel").first().pk).update(email="")


def _alice_invited(w, role):
    from concerto.workshops.models import Attendee

    Attendee.objects.create(workshop=_workshop(w), user=w.users["resident"], name="Alice", source="panel",
                            invited_at=timezone.now())


def _workshop_field(name):
    def probe(w, role, c):
        from concerto.workshops.selectors import workshop_get

        return getattr(workshop_get(w.campaign, _workshop(w).pk), name)

    return probe


PATH_VALUES.update({"workshop_id": lambda w: _workshop(w).pk, "token": _workshop_token})
DATA.update({
    "POST workshops:create": _workshop_form,
    "POST workshops:manage_edit": lambda w: _workshop_form(w, "Atelier renommé par la matrice"),
    "POST workshops:manage_agenda": {"op": "add", "title": "Pause", "minutes": "10"},
    "POST workshops:manage_cancel": {"reason": "La salle est fermée."},
    "POST workshops:attendance": lambda w: {f"a-{w.workshop_walk_in.pk}": "excused"},
    "POST workshops:walk_in": {"name": "Nouvelle venue", "name_consent": "on"},
    "POST workshops:rsvp": {"rsvp": "yes", "name_consent": "on"},
    "POST workshop_room:join_token": {"action": "rsvp", "rsvp": "no"},
})
EFFECTS.update({
    "POST workshops:create": _count("workshops.Workshop"),
    "POST workshops:manage_edit": _workshop_field("title"),
    "POST workshops:manage_agenda": _count("workshops.AgendaItem"),
    "POST workshops:manage_cancel": _workshop_field("cancelled_at"),
    "POST workshops:manage_invite": _count("workshops.Attendee"),
    "POST workshops:manage_send": _attendees(invitation_channel="email"),
    "POST workshops:manage_letters": _attendees(invitation_channel="letter"),
    "POST workshops:attendance": _attendees(attendance="excused"),
    "POST workshops:walk_in": _count("workshops.Attendee"),
    "POST workshops:rsvp": _attendees(rsvp="yes"),
    "POST workshop_room:join_token": _attendees(rsvp="no"),
})
PREPARE.update({
    "POST workshops:manage_send": _panel_invited,
    "POST workshops:manage_letters": _panel_invited_one_by_post,
    "POST workshops:rsvp": _alice_invited,
})


# Issue 13: door-to-door review (concerto/fieldwork/views/review.py). Organisers only: a signed-in
# non-organiser gets 404 whether the batch, flag, conflict or participation exists or not.
_REVIEW_GET = "302>login 404       404       404       404       404       404       200"
_REVIEW_POST = "302>login 404       404       404       404       404       404       302+"
_REVIEW_405 = "302>login 405       405       405       405       405       405       405"
MATRIX.update({
    "GET fieldwork:review": _REVIEW_GET,
    "POST fieldwork:review": _REVIEW_405,
    "GET fieldwork:review_batch": _REVIEW_GET,
    "POST fieldwork:review_batch": _REVIEW_405,
    "GET fieldwork:review_batch_decide": _REVIEW_405,
    "POST fieldwork:review_batch_decide": _REVIEW_POST,
    "GET fieldwork:review_flag_decide": _REVIEW_405,
    "POST fieldwork:review_flag_decide": _REVIEW_POST,
    "GET fieldwork:review_conflict": _REVIEW_GET,
    "POST fieldwork:review_conflict": _REVIEW_POST,
    "GET fieldwork:review_duplicate_decide": _REVIEW_405,
    "POST fieldwork:review_duplicate_decide": _REVIEW_POST,
})


def _review_field(name, field):
    def probe(w, role, c):
        model = type(w[name])
        return getattr(model.objects.get(pk=w[name].pk), field)

    return probe


PATH_VALUES.update({"review_batch_id": lambda w: w.review_batch.pk, "flag_id": lambda w: w.review_flag.pk,
                    "conflict_id": lambda w: w.review_conflict.pk, "duplicate_id": lambda w: w.review_duplicate.pk})
DATA.update({
    "POST fieldwork:review_batch_decide": {"decision": "release", "note": "Vérifié par la matrice."},
    "POST fieldwork:review_flag_decide": {"decision": "clear"},
    "POST fieldwork:review_conflict": {"note": "La version reçue d'abord est la bonne."},
    "POST fieldwork:review_duplicate_decide": {"decision": "distinct"},
})
EFFECTS.update({
    "POST fieldwork:review_batch_decide": _review_field("review_batch", "status"),
    "POST fieldwork:review_flag_decide": _review_field("review_flag", "status"),
    "POST fieldwork:review_conflict": _review_field("review_conflict", "resolved_at"),
    "POST fieldwork:review_duplicate_decide": _review_field("review_duplicate", "distinct_confirmed_at"),
})


# --------------------------------------------------------------------------------------------------
# Door to door, the organiser's side (fieldwork/views/devices.py and rounds.py): the campaign's organisers
# only (404 to anyone else, the sign-in page for a visitor). The enrolment link (site root) is Bruno's
# phone's: he confirms it (POST) and the phone is enrolled; anyone else signed in is told it is another
# ambassador's (403); a visitor signs in first.
# --------------------------------------------------------------------------------------------------

_FIELDWORK_PAGE = "302>login 404       404       404       404       404       404       200"
_FIELDWORK_ACT = "302>login 404       404       404       404       404       404       302+"
_FIELDWORK_GET_ONLY = "302>login 405       405       405       405       405       405       405"
MATRIX.update({
    **{f"GET fieldwork:{name}": _FIELDWORK_PAGE for name in (
        "overview", "rounds", "round_create", "round_detail", "round_cancel", "consent", "settings", "devices",
        "device_code", "device_revoke")},
    **{f"POST fieldwork:{name}": _FIELDWORK_ACT for name in (
        "round_create", "round_cancel", "consent", "settings", "devices", "device_revoke")},
    **{f"POST fieldwork:{name}": _FIELDWORK_GET_ONLY for name in ("overview", "rounds", "round_detail", "device_code")},
    "GET fieldwork_root:enrol":           "302>login 403       403       200       403       403       403       403",
    "POST fieldwork_root:enrol":          "302>login 403       403       302+      403       403       403       403",
})


def _fieldwork(w):
    """Bruno's phone waiting for its scan (the enrolment secret lives only here) and his round
    tomorrow in the north sector; made once per test, before the rows' savepoints."""
    if "fieldwork_round" not in w:
        from datetime import timedelta

        from concerto.fieldwork import services as fieldwork

        device, secret = fieldwork.device_create(by=w.users["organiser"], campaign=w.campaign,
                                                 ambassador_id=w.users["ambassador"].pk, label="Téléphone de Bruno")
        w["fieldwork_device"], w["fieldwork_secret"] = device, secret
        w["fieldwork_round"] = fieldwork.round_create(
            by=w.users["organiser"], campaign=w.campaign, ambassador_id=w.users["ambassador"].pk,
            day=timezone.localdate() + timedelta(days=1), sector_ids=[w.sectors["nord"].pk])
    return w


def _fieldwork_field(attr, model, field):
    def probe(w, role, c):
        from django.apps import apps

        return getattr(apps.get_model(model).objects.get(pk=_fieldwork(w)[attr].pk), field)

    return probe


# Only these rows make Bruno's phone and round: on any other row they would change what it tests (an
# ambassador with a round cannot delete his account: Round.ambassador is PROTECT).
FIELDWORK_ROWS = {f"fieldwork:{name}" for name in ("device_code", "device_revoke", "round_detail", "round_cancel",
                                                   "round_create")} | {"fieldwork_root:enrol"}
FIELDWORK_VALUES = {"device_id": lambda w: _fieldwork(w).fieldwork_device.pk,
                    "round_id": lambda w: _fieldwork(w).fieldwork_round.pk,
                    "enrolment_secret": lambda w: _fieldwork(w).fieldwork_secret}
DATA.update({
    "POST fieldwork:round_create": lambda w: {"ambassador": str(w.users["ambassador"].pk),
                                              "day": _fieldwork(w).fieldwork_round.day.isoformat(),
                                              "sectors": [str(w.sectors["sud"].pk)]},
    "POST fieldwork:consent": {"text": "Nous gardons vos soutiens jusqu'à la fin de la campagne ; écrivez-nous "
                                       "pour les effacer."},
    "POST fieldwork:settings": {"daily_ceiling": "30", "doors_per_hour_max": "20",
                                "participations_per_address_max": "4", "contact_rate_min": "10",
                                "contact_rate_max": "35"},
    "POST fieldwork:devices": lambda w: {"ambassador": str(w.users["ambassador"].pk), "label": "Autre téléphone"},
})
EFFECTS.update({
    "POST fieldwork:round_create": _count("fieldwork.Round"),
    "POST fieldwork:round_cancel": _fieldwork_field("fieldwork_round", "fieldwork.Round", "status"),
    "POST fieldwork:consent": _count("fieldwork.ConsentScript"),
    # The security world may hold the campaign's settings already: the posted ceiling is the effect.
    "POST fieldwork:settings": lambda w, role, c: list(apps.get_model("fieldwork.FieldworkSettings").objects
                                                       .filter(campaign=w.campaign)
                                                       .values_list("daily_ceiling", flat=True)),
    "POST fieldwork:devices": _count("fieldwork.Device"),
    "POST fieldwork:device_revoke": _fieldwork_field("fieldwork_device", "fieldwork.Device", "revoked_at"),
    "POST fieldwork_root:enrol": _fieldwork_field("fieldwork_device", "fieldwork.Device", "enrolled_at"),
})


# --------------------------------------------------------------------------------------------------
# Paper forms (fieldwork/views/paper.py): printing is the organisers'; typing forms in is the
# organisers' and moderators' (rules.can_enter_paper); 404 to anyone else, the sign-in page for a visitor.
# --------------------------------------------------------------------------------------------------

MATRIX.update({
    "GET fieldwork:paper":                "302>login 404       404       404       404       404       404       200",
    "POST fieldwork:paper":               "302>login 404       404       404       404       404       404       302+",
    "GET fieldwork:paper_print":          "302>login 404       404       404       404       404       404       200",
    "POST fieldwork:paper_print":         "302>login 405       405       405       405       405       405       405",
    "GET fieldwork:paper_print_progress": "302>login 404       404       404       404       404       404       200",
    "POST fieldwork:paper_print_progress": "302>login 405       405       405       405       405       405       405",
    "GET fieldwork:paper_print_pdf":      "302>login 404       404       404       404       404       404       200",
    "POST fieldwork:paper_print_pdf":     "302>login 405       405       405       405       405       405       405",
    "GET fieldwork:paper_entry":          "302>login 404       404       404       404       200       404       200",
    "POST fieldwork:paper_entry":         "302>login 404       404       404       404       302+      404       302+",
})


def _paper_print(w):
    """Two printed forms (their PDF not rendered: the rows that need it make a stand-in); made once
    per test, before the rows' savepoints."""
    if "paper_print" not in w:
        from concerto.fieldwork import services as fieldwork

        organiser = w.users["organiser"]
        fieldwork.consent_script_save(by=organiser, campaign=w.campaign, text="Nous gardons vos soutiens et vos "
                                      "propositions jusqu'à la fin de la campagne.")
        sheets = fieldwork.paper_sheets_create(by=organiser, campaign=w.campaign, count=2)
        w["paper_print"], w["paper_sheets"] = sheets[0].print_run, sheets
    return w["paper_print"]


def _paper_pdf_ready(w, role):
    from django.core.files.base import ContentFile

    run = _paper_print(w)
    run.file.save("formulaires-matrice.pdf", ContentFile(b"%PDF-1.7 matrice"), save=False)
    run.status = "done"
    run.save(update_fields=["file", "status"])


PATH_VALUES.update({"print_id": lambda w: _Lazy(lambda: _paper_print(w).pk)})
DATA.update({
    "POST fieldwork:paper": {"count": "3"},
    "POST fieldwork:paper_entry": lambda w: {"serial": (_paper_print(w), w.paper_sheets[0].serial)[1],
                                             "numbers": "1", "initials": "M. D.", "consent": "on"},
})
EFFECTS.update({
    "POST fieldwork:paper": _count("fieldwork.PaperPrint"),
    "POST fieldwork:paper_entry": _count("fieldwork.Participation"),
})
def _paper_consent(w, role):
    """Printing needs a consent text (written inside the row's savepoint, as each role's request is)."""
    from concerto.fieldwork.services import consent_script_save

    consent_script_save(by=w.users["organiser"], campaign=w.campaign,
                        text="Nous gardons vos soutiens et vos propositions jusqu'à la fin de la campagne.")


PREPARE.update({
    "POST fieldwork:paper": _paper_consent,
    "GET fieldwork:paper_print_pdf": _paper_pdf_ready,
})


# --------------------------------------------------------------------------------------------------
# Door to door and paper, linking (fieldwork/views/link.py): a paper participation of Alice's household
# (the resident column) waits on her campaign home; only she may say « it was me » or « not me »
# (anyone else, its household's or not, gets 404: the one refusal rule).
# --------------------------------------------------------------------------------------------------

MATRIX.update({
    "GET fieldwork:link_confirm":         "302>login 405       405       405       405       405       405       405",
    "POST fieldwork:link_confirm":        "302>login 302+      404       404       404       404       404       404",
    "GET fieldwork:link_dismiss":         "302>login 405       405       405       405       405       405       405",
    "POST fieldwork:link_dismiss":        "302>login 302+      404       404       404       404       404       404",
})


def _paper_participation(w):
    """A paper form of Alice's household, typed by the organiser; made once per test."""
    if "paper_participation" not in w:
        import uuid

        from concerto.fieldwork.models import PaperSheet, Participation
        from concerto.fieldwork.services import consent_script_save
        from concerto.residents.services import resident_create_without_email, resident_join_met

        text = "Nous gardons vos soutiens pour la consultation du quartier, jusqu'à la fin de la campagne."
        # Other rows' set-up may have written the campaign's consent text already: the next version.
        script = consent_script_save(by=w.users["organiser"], campaign=w.campaign, text=text)
        sheet = PaperSheet.objects.create(campaign=w.campaign, serial="P0001")
        someone = resident_create_without_email()
        resident_join_met(user=someone, campaign=w.campaign)
        w["paper_participation"] = Participation.objects.create(
            client_id=uuid.uuid4(), campaign=w.campaign, channel="paper", sheet=sheet, user=someone,
            household=w.households[0], initials="A. M.", consent_script=script, consent_method="paper",
            consent_at=timezone.now(), recorded_by=w.users["organiser"])
    return w["paper_participation"]


def _participation_field(name):
    def probe(w, role, c):
        from concerto.fieldwork.models import Participation

        return getattr(Participation.objects.get(pk=_paper_participation(w).pk), name)

    return probe


PATH_VALUES.update({"participation_id": lambda w: _Lazy(lambda: _paper_participation(w).pk)})
EFFECTS.update({
    "POST fieldwork:link_confirm": _participation_field("linked_at"),
    "POST fieldwork:link_dismiss": _count("fieldwork.LinkDismissal"),
})


# --------------------------------------------------------------------------------------------------
# Live event, the control room (live_event/views/control.py and control_api.py): the campaign's
# organisers and facilitators only (404 to anyone else, the sign-in page for a visitor). The actions
# answer JSON here (the matrix's client sends no Accept: text/html); each is checked for its effect.
# --------------------------------------------------------------------------------------------------

_CONTROL_PAGE = "302>login 404       404       404       404       404       200       200"
_CONTROL_ACT = "302>login 404       404       404       404       404       200+      200+"
_CONTROL_GET_ONLY = "302>login 405       405       405       405       405       405       405"
_CONTROL_ACTS = ("control_start", "control_end", "control_on_air", "control_position", "control_speaking",
                 "control_question", "control_turn_correct")
# The turns page's form answers the page (a redirect back to it) unless JSON is asked for.
_CONTROL_FORM = "302>login 404       404       404       404       404       302+      302+"
MATRIX.update({
    "GET live_event:control": _CONTROL_PAGE,
    "POST live_event:control": _CONTROL_GET_ONLY,
    "GET live_event:control_index": _CONTROL_PAGE,
    "POST live_event:control_index": _CONTROL_GET_ONLY,
    "GET live_event:control_turns": _CONTROL_PAGE,
    "POST live_event:control_turns": _CONTROL_GET_ONLY,
    **{f"GET live_event:{name}": _CONTROL_GET_ONLY for name in _CONTROL_ACTS},
    **{f"POST live_event:{name}": _CONTROL_ACT for name in _CONTROL_ACTS},
    "POST live_event:control_turn_correct": _CONTROL_FORM,
})


def _live_event(w):
    """An event with one candidate, the world's action on its running order, the reply order
    published, and a resident's question waiting; made once per test, before the rows' savepoints."""
    if "live_event" not in w:
        import uuid
        from datetime import timedelta

        from concerto.live_event import services as live
        from concerto.live_event.models import AudienceQuestion, Event

        organiser = w.users["organiser"]
        # Names differ from the other live rows' worlds: a test going through every row builds them all.
        w["live_candidate"] = live.candidate_create(actor=organiser, campaign=w.campaign, name="Aline Roche",
                                                    list_name="La régie en commun")
        event = live.event_create(actor=organiser, campaign=w.campaign, title="Le plateau",
                                  starts_at=timezone.now() + timedelta(hours=1),
                                  frame_origins=["https://mairie.example.fr"])
        Event.objects.filter(pk=event.pk).update(questions_open=True)
        w["live_item"] = live.running_order_set(actor=organiser, event=event, items=[(w.action.pk, "Alice")])[0]
        w["live_event"] = live.event_order_publish(actor=organiser, event=event, seed="matrice")
        w["live_question"] = AudienceQuestion.objects.create(
            event=event, item=w["live_item"], author=w.users["resident"], text="Et les trottoirs ?",
            client_id=uuid.uuid4(), created_at=timezone.now())
    return w["live_event"]


def _live_on_air(w, role):
    """The show started (inside the row's savepoint): the clock and the running order need it."""
    from concerto.live_event import services as live

    live.event_start(actor=w.users["organiser"], event=_live_event(w))


def _live_field(attr, model, field):
    def probe(w, role, c):
        return getattr(apps.get_model(model).objects.get(pk=w[attr].pk), field)

    return probe


def _live_turn(w):
    """A turn timed on the control room's event, before the rows' savepoints: the correction removes it."""
    if "live_turn" not in w:
        from concerto.live_event.models import SpeakingTurn

        now = timezone.now()
        w["live_turn"] = SpeakingTurn.objects.create(event=_live_event(w), candidate=w["live_candidate"],
                                                     started_at=now, ended_at=now, client_id=uuid4())
    return w["live_turn"]


PATH_VALUES.update({"pk": lambda w: _Lazy(lambda: _live_event(w).pk),
                    "qid": lambda w: _Lazy(lambda: (_live_event(w), w["live_question"])[1].pk),
                    "tid": lambda w: _Lazy(lambda: _live_turn(w).pk)})
DATA.update({
    "POST live_event:control_on_air": {"step": "next"},
    "POST live_event:control_position": lambda w: {
        "item": str((_live_event(w), w["live_item"])[1].pk), "candidate": str(w["live_candidate"].pk),
        "stance": "favourable", "summary": "Oui, dès la rentrée.", "client_id": str(uuid4()), "revision": "1"},
    "POST live_event:control_speaking": lambda w: {"candidate": str((_live_event(w), w["live_candidate"])[1].pk),
                                                   "client_id": str(uuid4())},
    "POST live_event:control_question": {"do": "approve"},
    "POST live_event:control_turn_correct": {"candidate": "personne", "reason": "Personne ne parlait."},
})
PREPARE.update({
    "POST live_event:control_on_air": _live_on_air,
    "POST live_event:control_speaking": _live_on_air,
})
EFFECTS.update({
    "POST live_event:control_start": _live_field("live_event", "live_event.Event", "status"),
    "POST live_event:control_end": _live_field("live_event", "live_event.Event", "status"),
    "POST live_event:control_on_air": _live_field("live_event", "live_event.Event", "on_air_id"),
    "POST live_event:control_position": _count("live_event.Position"),
    "POST live_event:control_speaking": _count("live_event.SpeakingTurn"),
    "POST live_event:control_question": _live_field("live_question", "live_event.AudienceQuestion", "status"),
    "POST live_event:control_turn_correct": _count("live_event.SpeakingTurn"),
})


# --------------------------------------------------------------------------------------------------
# Live event, after the show (live_event/views/report.py): the fairness report, its CSV, the replay
# chapters and their files are public like the set itself; GET only.
# --------------------------------------------------------------------------------------------------

_ALL_200 = "200       200       200       200       200       200       200       200"
_ALL_405 = "405       405       405       405       405       405       405       405"
MATRIX.update({f"{method} live_event:{name}": (_ALL_200 if method == "GET" else _ALL_405)
               for name in ("report", "report_csv", "chapters", "chapters_vtt", "chapters_txt")
               for method in ("GET", "POST")})


# --------------------------------------------------------------------------------------------------
# Issue 15, synthesis part « opendata » (synthesis/views/results.py, api/synthesis_opendata.py): the
# public positions page and its CSV/JSON, the open data's card, datapackage.json, its CSVs, README.md,
# popolo.json and the zip are public, GET only; the API gives the same files to anyone.
# --------------------------------------------------------------------------------------------------

OPENDATA_ROWS = ("positions", "positions_csv", "positions_json", "opendata", "opendata_package", "opendata_readme",
                 "opendata_popolo", "opendata_zip", "opendata_csv")
MATRIX.update({f"{method} synthesis:{name}": (_ALL_200 if method == "GET" else _ALL_405)
               for name in OPENDATA_ROWS for method in ("GET", "POST")})
MATRIX.update({f"GET /api/v1/campaigns/{{slug}}/{path}": _ALL_200 for path in (
    "positions", "positions.csv", "opendata/datapackage.zip", "opendata/{filename}")})
PATH_VALUES.update({"name": lambda w: "actions", "filename": lambda w: "datapackage.json"})




# --------------------------------------------------------------------------------------------------
# Issue 14, setting up the candidates' set (live_event/views/setup.py and candidate.py): candidates,
# events, running order, reply order, election calendar are the organisers' (404 to anyone else, the
# sign-in page for a visitor); the published reply order is public; « my reactions » is the list's
# account's own page (Claire writes for the first list).
# --------------------------------------------------------------------------------------------------

_LIVE_PAGE = "302>login 404       404       404       404       404       404       200"
_LIVE_ACT = "302>login 404       404       404       404       404       404       302+"
_LIVE_POST_ONLY = "302>login 405       405       405       405       405       405       405"
_LIVE_GET_ONLY = "302>login 405       405       405       405       405       405       405"
MATRIX.update({
    **{f"GET live_event:{name}": _LIVE_PAGE for name in (
        "candidates", "candidate_create", "candidate_edit", "candidate_delete", "events", "event_create",
        "event_edit", "running_order", "order_publish", "calendar")},
    **{f"POST live_event:{name}": _LIVE_ACT for name in (
        "candidate_create", "candidate_edit", "candidate_delete", "candidate_account", "event_create", "event_edit",
        "running_order", "order_publish", "calendar", "calendar_delete")},
    **{f"GET live_event:{name}": _LIVE_POST_ONLY for name in ("candidate_account", "calendar_delete")},
    **{f"POST live_event:{name}": _LIVE_GET_ONLY for name in ("candidates", "events")},
    "GET live_event:order":               "200       200       200       200       200       200       200       200",
    "POST live_event:order":              "405       405       405       405       405       405       405       405",
    "GET live_event:my_reactions":        "302>login 404       404       404       200       404       404       404",
    "POST live_event:my_reactions":       "302>login 404       404       404       302+      404       404       404",
})


def _live_setup(w, *, keep=True):
    """Three candidates (Claire's account writes for the first), an event whose running order holds the
    published action, round 1 of the election in 40 days; made once per test (``keep``, before the rows'
    savepoints), or inside each role's savepoint (``keep=False``: PREPARE)."""
    if "live_setup_event" not in w or not keep:
        from datetime import date, time, timedelta

        from concerto.campaigns.models import ElectionRound
        from concerto.live_event import services as live
        from concerto.live_event.models import Candidate

        organiser = w.users["organiser"]
        # The candidate account has one list per campaign: another world of this test may have tied it.
        tied = Candidate.objects.filter(campaign=w.campaign, user=w.users["candidate"]).exists()
        w["live_candidates"] = [
            live.candidate_create(actor=organiser, campaign=w.campaign, name=name, list_name=f"Liste {name}",
                                  user=w.users["candidate"] if i == 0 and not tied else None)
            for i, name in enumerate(("Claire Martin", "Paul Durand", "Inès Benali"))]
        event = live.event_create(actor=organiser, campaign=w.campaign, title="Le plateau",
                                  starts_at=timezone.now() + timedelta(days=2))
        live.running_order_set(actor=organiser, event=event, items=[(w.action.pk, "Samia")])
        if keep:
            w["live_setup_event"] = event
        ElectionRound.objects.get_or_create(campaign=w.campaign, number=1,
                                            defaults={"vote_date": date.today() + timedelta(days=40),
                                                      "polls_close": time(20, 0)})
        return event
    return w["live_setup_event"]


def _live_values(model, field, lookup):
    def probe(w, role, c):
        return list(apps.get_model(model).objects.filter(**lookup(w)).values_list(field, flat=True))

    return probe


# These rows act on an event of their own (running order not yet published), not the control room's.
LIVE_SETUP_ROWS = ("live_event:candidate", "live_event:event", "live_event:running_order", "live_event:order",
                   "live_event:calendar", "live_event:my_reactions")
LIVE_SETUP_VALUES = {"pk": lambda w: _Lazy(lambda: _live_setup(w).pk),
                     "cid": lambda w: _Lazy(lambda: (_live_setup(w), w.live_candidates[2])[1].pk),
                     "number": lambda w: 1}
_LIVE_EVENT_FORM = {"title": "Le plateau changé", "starts_at": "14/03/2099 18:00", "target_gap_seconds": "60",
                    "frame_origins": "https://tv.example.org"}
DATA.update({
    "POST live_event:candidate_create": {"name": "Jeanne Roux", "list_name": "Le quartier vert"},
    "POST live_event:candidate_edit": {"name": "Inès Benali", "list_name": "Le quartier d'abord, changé"},
    "POST live_event:candidate_account": {"email": "ines@example.org"},
    "POST live_event:event_create": _LIVE_EVENT_FORM,
    "POST live_event:event_edit": _LIVE_EVENT_FORM,
    "POST live_event:running_order": lambda w: {f"position-{w.action.pk}": "1", f"presenter-{w.action.pk}": "Marcel"},
    "POST live_event:calendar": lambda w: {"number": "2", "vote_date": (timezone.localdate() + timedelta_days(47))
                                           .isoformat(), "polls_close": "20:00"},
    "POST live_event:my_reactions": lambda w: {"action": str(w.action.pk), "stance": "favourable",
                                               "text": "Nous le ferons."},
})
PREPARE.update({f"{m} live_event:{name}": lambda w, role: _live_setup(w, keep=False) for m in ("GET", "POST") for name in (
    "my_reactions", "calendar", "calendar_delete", "candidates")})
EFFECTS.update({
    "POST live_event:candidate_create": _count("live_event.Candidate"),
    "POST live_event:candidate_edit": _live_values("live_event.Candidate", "list_name", lambda w: {"campaign": w.campaign}),
    "POST live_event:candidate_delete": _count("live_event.Candidate"),
    "POST live_event:candidate_account": _live_values("live_event.Candidate", "user_id", lambda w: {"campaign": w.campaign}),
    "POST live_event:event_create": _count("live_event.Event"),
    "POST live_event:event_edit": _live_values("live_event.Event", "title", lambda w: {"campaign": w.campaign}),
    "POST live_event:running_order": _live_values("live_event.RunningItem", "presenter", lambda w: {}),
    "POST live_event:order_publish": _live_values("live_event.Event", "order_published_at", lambda w: {}),
    "POST live_event:calendar": _count("campaigns.ElectionRound"),
    "POST live_event:calendar_delete": _count("campaigns.ElectionRound"),
    "POST live_event:my_reactions": _count("live_event.WrittenReaction"),
})


def timedelta_days(n):
    from datetime import timedelta

    return timedelta(days=n)


# --------------------------------------------------------------------------------------------------
# Issue 15, amend (synthesis/views/amendments.py): versions and decided amendments are public; the
# amendments' pages and decisions, and new versions, are the organisers' (404 to anyone else, the
# sign-in page for a visitor); the opinion page is for the action's workshop participants (nobody in
# this world); the digest's preference and the support withdrawal are each signed-in person's own.
# --------------------------------------------------------------------------------------------------

_AMEND_ALL_200 = "200       200       200       200       200       200       200       200"
_AMEND_ALL_405 = "405       405       405       405       405       405       405       405"
_AMEND_PAGE = "302>login 404       404       404       404       404       404       200"
_AMEND_ACT = "302>login 404       404       404       404       404       404       302+"
_AMEND_ACT_NO_PROBE = "302>login 404       404       404       404       404       404       302"
_AMEND_NOT_THIS_METHOD = "302>login 405       405       405       405       405       405       405"
_AMEND_SIGNED_IN = "302>login 200       200       200       200       200       200       200"
_AMEND_NOBODY = "302>login 404       404       404       404       404       404       404"
MATRIX.update({
    "GET synthesis:versions": _AMEND_ALL_200, "POST synthesis:versions": _AMEND_ALL_405,
    "GET synthesis:amendments_public": _AMEND_ALL_200, "POST synthesis:amendments_public": _AMEND_ALL_405,
    "GET synthesis:version_new": _AMEND_PAGE, "POST synthesis:version_new": _AMEND_ACT,
    "GET synthesis:amendments": _AMEND_PAGE, "POST synthesis:amendments": _AMEND_NOT_THIS_METHOD,
    "GET synthesis:amendment": _AMEND_PAGE, "POST synthesis:amendment": _AMEND_NOT_THIS_METHOD,
    **{f"GET synthesis:{name}": _AMEND_NOT_THIS_METHOD for name in (
        "amendments_collect", "digest_send", "amendment_anchor", "amendment_consult", "amendment_decide")},
    **{f"POST synthesis:{name}": _AMEND_ACT for name in ("amendment_anchor", "amendment_consult", "amendment_decide")},
    "POST synthesis:amendments_collect": _AMEND_ACT_NO_PROBE,
    "POST synthesis:digest_send": _AMEND_ACT_NO_PROBE,
    "GET synthesis:amendment_opinion": _AMEND_NOBODY, "POST synthesis:amendment_opinion": _AMEND_NOBODY,
    "GET synthesis:digest_preference": _AMEND_SIGNED_IN,
    "POST synthesis:digest_preference": "302>login 302+      302+      302+      302+      302+      302+      302+",
    "GET synthesis:support_withdraw": _AMEND_SIGNED_IN,
    "POST synthesis:support_withdraw": "302>login 302+      302+      302+      302       302+      302+      302+",
    # The API twin (concerto/api/synthesis_amend.py): reads public, the decision for organisers.
    "GET /api/v1/campaigns/{slug}/actions/{action_id}/versions":    "200  200  200  200  200  200  200  200",
    "GET /api/v1/campaigns/{slug}/amendments":                      "200  200  200  200  200  200  200  200",
    "POST /api/v1/campaigns/{slug}/amendments/{amendment_id}/decision": "401  404  404  404  404  404  404  200+",
})


def _amend_amendment(w):
    """A candidate's amendment to the world's published action, made once per test."""
    if "amend_amendment" not in w:
        from concerto.live_event import services as live
        from concerto.synthesis.models import Amendment

        candidate = live.candidate_create(actor=w.users["organiser"], campaign=w.campaign, name="Rémi Vidal",
                                          list_name="Liste des amendements")
        w["amend_amendment"] = Amendment.objects.create(
            campaign=w.campaign, action=w.action, candidate=candidate, source="written",
            text="Ajouter un banc à l'ombre.", created_at=timezone.now())
    return w["amend_amendment"]


def _amend_field(field):
    def probe(w, role, c):
        _amend_amendment(w)  # before the first probe, or it counts the amendment the row's path makes
        return list(apps.get_model("synthesis.Amendment").objects.values_list(field, flat=True))

    return probe


PATH_VALUES.update({"amendment_id": lambda w: _Lazy(lambda: _amend_amendment(w).pk)})
DATA.update({
    "POST synthesis:version_new": lambda w: {"title": w.action.title, "summary": w.action.summary,
                                             "body": "Un nouveau paragraphe, après les contributions.",
                                             "reason": "Trois contributions en ligne."},
    "POST synthesis:amendment_anchor": lambda w: {"quote": w.action.summary[:12]},
    "POST synthesis:amendment_consult": {"until": "2099-03-14T18:00"},
    "POST synthesis:amendment_decide": {"decision": "declined", "reason": "Hors du périmètre de la commune."},
    "POST /api/v1/campaigns/{slug}/amendments/{amendment_id}/decision": {
        "decision": "declined", "reason": "Hors du périmètre de la commune."},
    "POST synthesis:amendment_opinion": {"opinion": "for"},
    "POST synthesis:digest_preference": {"digest": "on"},
})
PREPARE.update({"POST synthesis:support_withdraw": _support_first})
EFFECTS.update({
    "POST synthesis:version_new": _count("synthesis.ActionVersion"),
    "POST synthesis:amendment_anchor": _amend_field("quote_exact"),
    "POST synthesis:amendment_consult": _amend_field("status"),
    "POST synthesis:amendment_decide": _amend_field("status"),
    "POST /api/v1/campaigns/{slug}/amendments/{amendment_id}/decision": _amend_field("status"),
    "POST synthesis:digest_preference": _count("synthesis.DigestOptIn"),
    "POST synthesis:support_withdraw": lambda w, role, c: Support.objects.count(),
})


# --------------------------------------------------------------------------------------------------
# Issue 15, documents (synthesis/views/documents.py, api/synthesis_documents.py): the plan, its PDF and
# the dispatch log are public; generating, sending and each edition's files are the organisers' (404
# to anyone else, the sign-in page for a visitor); a dossier is also its list's account's (Claire's,
# the "candidate" role); the personal link of the e-mail works for whoever holds it.
# --------------------------------------------------------------------------------------------------

_DOC_PAGE = "302>login 404       404       404       404       404       404       200"
_DOC_ACT = "302>login 404       404       404       404       404       404       302+"
_DOC_405 = "302>login 405       405       405       405       405       405       405"
_DOC_DOSSIER = "302>login 404       404       404       200       404       404       200"
MATRIX.update({
    **{f"{m} synthesis:{name}": (_ALL_200 if m == "GET" else _ALL_405)
       for name in ("plan", "plan_pdf", "dispatch_log", "dossier_download_pdf") for m in ("GET", "POST")},
    "GET synthesis:documents": _DOC_PAGE,
    "POST synthesis:documents": _DOC_405,
    **{f"POST synthesis:{name}": _DOC_ACT for name in ("documents_generate", "dossiers_send", "dispatch_resend")},
    **{f"GET synthesis:{name}": _DOC_405 for name in ("documents_generate", "dossiers_send", "dispatch_resend")},
    **{f"{m} synthesis:{name}": (_DOC_DOSSIER if m == "GET" else _DOC_405)
       for name in ("document_html", "document_pdf") for m in ("GET", "POST")},
    "GET synthesis:my_dossier": "302>login 404       404       404       200       404       404       404",
    "POST synthesis:my_dossier": _DOC_405,
    "GET synthesis:dossier_download": _ALL_200,
    "POST synthesis:dossier_download": "302+      302+      302+      302+      302+      302+      302+      302+",
    "GET /api/v1/campaigns/{slug}/synthesis/documents": _ALL_200,
    "GET /api/v1/campaigns/{slug}/synthesis/plan.pdf": _ALL_200,
    "GET /api/v1/campaigns/{slug}/synthesis/dispatches": _ALL_200,
})


def _documents_world(w):
    """Two lists (Claire's account reads the first), edition 1 of the plan and of both dossiers ready
    (small stand-in files: no PDF is compiled here), the first dossier sent with a known link."""
    from concerto.synthesis.models import Dispatch

    if "doc_dispatch" not in w or not Dispatch.objects.filter(pk=w["doc_dispatch"].pk).exists():
        import hashlib

        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from concerto.live_event import services as live
        from concerto.live_event.models import Candidate
        from concerto.synthesis.models import Document

        organiser = w.users["organiser"]
        # The candidate account has one list per campaign: another world of this test may have tied it.
        claires = Candidate.objects.filter(campaign=w.campaign, user=w.users["candidate"]).first()
        lists = [claires or live.candidate_create(
            actor=organiser, campaign=w.campaign, name="Claire Documents", list_name="Liste Claire Documents",
            contact_email="liste0@example.org", user=w.users["candidate"]),
            live.candidate_create(actor=organiser, campaign=w.campaign, name="Paul Documents",
                                  list_name="Liste Paul Documents", contact_email="liste1@example.org")]
        now = timezone.now()

        def ready(kind, candidate=None):
            name = default_storage.save(f"synthesis/matrice-{kind}.pdf", ContentFile(b"%PDF-1.7 matrice"))
            return Document.objects.create(campaign=w.campaign, kind=kind, candidate=candidate, edition=1,
                                           status="ready", file=name, sha256="0" * 64, size=16, requested_at=now,
                                           generated_at=now)

        ready("plan")
        dossiers = [ready("dossier", c) for c in lists]
        w["doc_candidate"], w["doc_dossier"] = lists[0], dossiers[0]
        w["doc_token"] = "jeton-de-la-matrice"
        w["doc_dispatch"] = Dispatch.objects.create(
            document=dossiers[0], candidate=lists[0], to_email="liste0@example.org", status="sent",
            token_hash=hashlib.sha256(w["doc_token"].encode()).hexdigest(), queued_at=now, sent_at=now)
    return w["doc_dispatch"]


PATH_VALUES.update({
    "document_id": lambda w: _Lazy(lambda: (_documents_world(w), w["doc_dossier"])[1].pk),
    "candidate_id": lambda w: _Lazy(lambda: (_documents_world(w), w["doc_candidate"])[1].pk),
    "dossier_token": lambda w: _Lazy(lambda: (_documents_world(w), w["doc_token"])[1]),
})
# Rows without an id in their path need the documents too: their body (built before the row's
# savepoint, also by the public-cache tests) makes them, and is empty.
DATA.update({f"{m} synthesis:{name}": lambda w: (_documents_world(w), {})[1]
             for name in ("plan", "plan_pdf", "dispatch_log", "documents", "documents_generate", "dossiers_send",
                          "my_dossier")
             for m in ("GET", "POST")})
DATA.update({f"GET /api/v1/campaigns/{{slug}}/synthesis/{tail}": lambda w: (_documents_world(w), None)[1]
             for tail in ("documents", "plan.pdf", "dispatches")})


def _doc_ack(w, role, c):
    from concerto.synthesis.models import Dispatch

    return list(Dispatch.objects.values_list("acknowledged_at", flat=True))


def _with_documents(probe):
    """The documents' world is built before the first probe (a probe before it counts nothing yet)."""
    def built(w, role, c):
        _documents_world(w)
        return probe(w, role, c)

    return built


EFFECTS.update({
    "POST synthesis:documents_generate": _with_documents(_count("synthesis.Document")),
    "POST synthesis:dossiers_send": _with_documents(_count("synthesis.Dispatch")),
    "POST synthesis:dispatch_resend": _with_documents(_count("synthesis.Dispatch")),
    "POST synthesis:dossier_download": _with_documents(_doc_ack),
})


# --------------------------------------------------------------------------------------------------
# Discovery
# --------------------------------------------------------------------------------------------------


def _walk(resolver, prefix="", namespace=None):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(n for n in [namespace, p.namespace] if n) or None
            yield from _walk(p, prefix + str(p.pattern), ns)
        else:
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name


# -- dashboard --
# The participation dashboard (organisers only: 404 to anyone else, the sign-in page for a visitor),
# its public summary, and the public trace of a published action (the world's ``action``).
MATRIX.update({
    "GET dashboard:participation":        "302>login 404       404       404       404       404       404       200",
    "POST dashboard:participation":       "302>login 405       405       405       405       405       405       405",
    "GET dashboard:participation_public": _ALL_200,
    "POST dashboard:participation_public": _ALL_405,
    "GET dashboard:action_trace":         _ALL_200,
    "POST dashboard:action_trace":        _ALL_405,
})


def _shape(route: str) -> str:
    """``c/<slug:slug>/x`` and ``c/{slug}/x`` → ``c/{slug}/x``, to compare Django routes and ninja paths."""
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    route = re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", route)
    return route.strip("/")


def api_operations() -> list[tuple[str, str]]:
    """(method, full path) of every django-ninja operation, in or out of the OpenAPI document."""
    ops = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    ops.append((method, f"{API_PREFIX}{prefix}{path}"))
    return ops


def discovered_keys() -> set[str]:
    api_shapes = {_shape(path) for _m, path in api_operations()}
    keys = {f"{method} {path}" for method, path in api_operations()}
    for route, name in _walk(get_resolver()):
        if _shape("/" + route) in api_shapes:
            continue  # served by a django-ninja operation: classified by method above
        assert name, f"URL pattern {route!r} has no name: name it so that it can be classified"
        keys |= {f"GET {name}", f"POST {name}"}
    return keys


def test_every_url_and_operation_is_classified():
    found = discovered_keys()
    unclassified = sorted(found - MATRIX.keys())
    stale = sorted(MATRIX.keys() - found)
    assert not unclassified, f"add these URLs/operations to MATRIX with the answer each role must get: {unclassified}"
    assert not stale, f"these MATRIX rows name URLs that no longer exist: {stale}"


def test_the_api_document_has_no_operation_the_matrix_misses(client, db):
    """The same check from the published OpenAPI document, in case a router is mounted some other way."""
    document = client.get(f"{API_PREFIX}/openapi.json").json()
    for path, operations in document["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in MATRIX, f"{method.upper()} {path}"


# --------------------------------------------------------------------------------------------------
# Running a row
# --------------------------------------------------------------------------------------------------


def data_for(key: str, w):
    """The body of a row: a dict, or built from the world (a callable) when it names its objects."""
    data = DATA.get(key)
    return data(w) if callable(data) else data


# Which selection each selection row acts on: one in the stage where the act is possible, so that
# "+" proves the organiser's act took effect.
SELECTION_FOR = {
    "selection:edit": "draft_selection", "selection:compute": "draft_selection",
    "selection:cancel": "draft_selection", "selection:relax": "infeasible_selection",
    "selection:publish": "computed_selection", "selection:announce": "published_selection",
    "selection:draw": "announced_selection", "/draw": "announced_selection",
    "selection:delete": "draft_selection",
}


# Rows acting on the workshop at the action sheets phase (the "sheets" part of the workshops).
SHEETS_ROWS = ("workshops:sheet", "workshops:minutes", "workshops:export")
SHEETS_API_ROWS = ("/minutes", "/ideas", "/themes", "/votes")

# Rows acting on the vacant household (the free code's) rather than Alice's: only it may be deleted.
HOUSEHOLD_FOR = ("POST letters:household_delete", "DELETE /api/v1/campaigns/{slug}/households/{household_id}")


def url_for(key: str, w, **override) -> str:
    """The row's URL in the world; ``override`` replaces path values (a missing id, an unknown campaign)."""
    method, target = key.split(" ", 1)
    values = {"slug": w.campaign.slug, "action_id": w.action.pk, "comment_id": w.comment.pk,
              "token_id": w.alice_token.pk, "secret": w.link_secret, "rest": "nulle-part",
              "batch_id": w.batch.pk, "household_id": w.household.pk, "import_id": w.pending_import.pk,
              "rule_id": w.rule.pk, "selection_id": w.drawn_selection.pk, "seat_id": w.seat.pk,
              "invitation_id": w.invitation.pk, "invitation_token": w.invitation_token, "uidb64": w.uidb64,
              "reset_token": w.reset_token, "user_id": w.users["moderator"].pk}
    for suffix, name in SELECTION_FOR.items():
        if target.startswith(suffix) or (suffix.startswith("/") and target.endswith(suffix)):
            values["selection_id"] = w[name].pk
    values.update({name: pk(w) for name, pk in PATH_VALUES.items()})
    for rows, part in ((ROOM_ROWS, ROOM_VALUES), (CLUSTER_ROWS, CLUSTER_VALUES), (FIELDWORK_ROWS, FIELDWORK_VALUES)):
        if target in rows:
            values.update({name: pk(w) for name, pk in part.items()})
    if target.startswith(LIVE_SETUP_ROWS):
        values.update({name: pk(w) for name, pk in LIVE_SETUP_VALUES.items()})
    if target.startswith(SHEETS_ROWS) or target.endswith(SHEETS_API_ROWS):
        values["workshop_id"] = w.sheets_workshop.pk  # the workshop at the action sheets phase
    if key in HOUSEHOLD_FOR:
        values["household_id"] = w.households[-1].pk  # the one household nobody joined with: deletable
    if target.endswith("/withdraw") or target.startswith(("proposals:withdraw", "proposals:moderation_")):
        values["action_id"] = w.pending.pk  # acts on a contribution waiting for moderation
    values.update(override)
    if target.startswith("/"):
        return re.sub(r"\{(?:\w+:)?(\w+)\}", lambda m: str(values[m.group(1)]), target)
    if target.startswith("proposals:moderate_action") and "action_id" not in override:
        values["action_id"] = w.pending.pk
    pattern = {name: route for route, name in _walk(get_resolver())}[target]
    wanted = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    return reverse(target, kwargs={k: values[k] for k in wanted})


def answer(w, key: str, role: str, **override):
    """(cell, response) for one role on one row, inside a rolled-back savepoint."""
    method, target = key.split(" ", 1)
    url = url_for(key, w, **override)
    data = data_for(key, w)
    with undone():
        if key in PREPARE:
            PREPARE[key](w, role)
        if target.startswith("/"):  # the API: a Bearer token, never the session
            from django.test import Client

            client = Client()
            headers = w.auth(role)
            body = json.dumps(data) if data is not None else ""
            send = lambda: client.generic(method, url, body, content_type="application/json", **headers)  # noqa: E731
        else:
            client = w.client(role)
            send = lambda: client.get(url, data or {}) if method == "GET" else client.post(url, data or {})  # noqa: E731
        probe = EFFECTS.get(key)
        before = probe(w, role, client) if probe else None
        response = send()
        after = probe(w, role, client) if probe else None
    cell = str(response.status_code)
    if response.status_code in (301, 302, 303) and response["Location"].startswith(reverse("residents:sign_in")):
        cell += ">login"
    if probe and before != after:
        cell += "+"
    return cell, response


# Issue 14: the live event the API rows act on, made when a row names it (once per test): a candidate,
# the published action on the running order, the reply order published. The control rows but start
# put it on air first (as the organiser, inside the row's savepoint).
LIVE_API = "/api/v1/campaigns/{slug}/events/{event_id}/"


def _live_show(w):
    if "live_show" not in w:
        from concerto.live_event import services as live

        organiser = w.users["organiser"]
        live.candidate_create(actor=organiser, campaign=w.campaign, name="Denis Laporte",
                              list_name="L'API en commun")
        event = live.event_create(actor=organiser, campaign=w.campaign, title="Plateau de la matrice",
                                  starts_at=timezone.now())
        live.running_order_set(actor=organiser, event=event, items=[(w.action.pk, "Alice")])
        live.event_order_publish(actor=organiser, event=event, seed="matrice")
        event.refresh_from_db()
        w["live_show"] = event
    return w["live_show"]


def _live_api_on_air(w, role):
    from concerto.live_event import services as live

    event = _live_show(w)
    live.event_start(actor=w.users["organiser"], event=event)
    live.on_air_step(actor=w.users["organiser"], event=event, step=1)


def _live_seq(w, role, c):
    from concerto.live_event.models import Event

    return Event.objects.filter(pk=_live_show(w).pk).values_list("seq", "status").get()


def _live_cell(w):
    from concerto.live_event import selectors as live

    return {"item": live.running_items(_live_show(w))[0].pk, "candidate": live.candidate_list(w.campaign)[0].pk}


def _live_show_turn(w):
    """A turn timed on the API rows' event, made with it: the correction gives it to the other list."""
    if "live_show_turn" not in w:
        from concerto.live_event import selectors
        from concerto.live_event import services as live
        from concerto.live_event.models import SpeakingTurn

        event = _live_show(w)
        live.candidate_create(actor=w.users["organiser"], campaign=w.campaign, name="Sonia Vidal",
                              list_name="Le tour corrigé")
        now = timezone.now()
        w["live_show_turn"] = SpeakingTurn.objects.create(event=event, candidate=selectors.candidate_list(w.campaign)[0],
                                                          started_at=now, ended_at=now, client_id=uuid4())
    return w["live_show_turn"]


def _live_other_list(w) -> int:
    from concerto.live_event import selectors as live

    return next(c.pk for c in live.candidate_list(w.campaign) if c.pk != _live_show_turn(w).candidate_id)


def _live_turn_owner(w, role, c):
    from concerto.live_event.models import SpeakingTurn

    return SpeakingTurn.objects.filter(pk=_live_show_turn(w).pk).values_list("candidate_id", flat=True).first()


PATH_VALUES.update({"event_id": lambda w: _Lazy(lambda: _live_show(w).pk),
                    "turn_id": lambda w: _Lazy(lambda: _live_show_turn(w).pk)})
DATA.update({
    f"POST {LIVE_API}on-air": {},  # nothing on air: one action only, "next" would not move
    f"POST {LIVE_API}positions": lambda w: {**_live_cell(w), "stance": "favourable", "summary": "D'accord.",
                                            "client_id": "5b0f1f9e-3c1a-4f55-9d2e-0a7c2b1e4d11"},
    f"POST {LIVE_API}speaking": lambda w: {"candidate": _live_cell(w)["candidate"],
                                           "client_id": "0e8c4b7a-2f3d-4b1c-8a9e-6d5f4c3b2a10"},
    f"POST {LIVE_API}turns/{{turn_id}}/correct": lambda w: {"candidate": _live_other_list(w), "reason": "Mauvaise touche."},
})
EFFECTS.update({f"POST {LIVE_API}turns/{{turn_id}}/correct": _live_turn_owner})
EFFECTS.update({f"POST {LIVE_API}{tail}": _live_seq for tail in ("start", "end", "on-air", "positions", "speaking")})
PREPARE.update({f"POST {LIVE_API}{tail}": _live_api_on_air for tail in ("end", "on-air", "positions", "speaking")})

# --------------------------------------------------------------------------------------------------
# Issue 15, followup (synthesis/views/followup.py, api/synthesis_followup.py): after the election,
# the follow-up board, a commitment's page, the yearly report and their CSV are public; marking the
# elected list and importing updates are the organisers' (404 to anyone else, the sign-in page for a
# visitor); adding an update is the organisers' (POST only); anyone signed in subscribes to news
# about an action; the e-mail's unsubscribe link works for whoever holds it (a signed token).
# --------------------------------------------------------------------------------------------------

_FOLLOWUP_PUBLIC = "200       200       200       200       200       200       200       200"
_FOLLOWUP_NONE = "405       405       405       405       405       405       405       405"
_FOLLOWUP_PAGE = "302>login 404       404       404       404       404       404       200"
_FOLLOWUP_ACT = "302>login 404       404       404       404       404       404       302+"
_FOLLOWUP_POST_ONLY = "302>login 405       405       405       405       405       405       405"
MATRIX.update({
    **{f"GET synthesis:{name}": _FOLLOWUP_PUBLIC for name in (
        "followup_board", "followup_csv", "followup_commitment", "followup_year", "followup_year_csv",
        "followup_unsubscribe")},
    **{f"POST synthesis:{name}": _FOLLOWUP_NONE for name in (
        "followup_board", "followup_csv", "followup_commitment", "followup_year", "followup_year_csv")},
    "POST synthesis:followup_unsubscribe": "200+      200+      200+      200+      200+      200+      200+      200+",
    "GET synthesis:followup_elected": _FOLLOWUP_PAGE,
    "POST synthesis:followup_elected": _FOLLOWUP_ACT,
    "GET synthesis:followup_import": _FOLLOWUP_PAGE,
    "POST synthesis:followup_import": _FOLLOWUP_ACT,
    "GET synthesis:followup_update_add": _FOLLOWUP_POST_ONLY,
    "POST synthesis:followup_update_add": _FOLLOWUP_ACT,
    "GET synthesis:followup_subscribe": _FOLLOWUP_POST_ONLY,
    "POST synthesis:followup_subscribe": "302>login 302+      302+      302+      302+      302+      302+      302+",
    "GET /api/v1/campaigns/{slug}/followup": _FOLLOWUP_PUBLIC,
    "GET /api/v1/campaigns/{slug}/followup/commitments/{commitment_id}": _FOLLOWUP_PUBLIC,
    "POST /api/v1/campaigns/{slug}/followup/commitments/{commitment_id}/updates":
        "401       404       404       404       404       404       404       201+",
})


def _followup(w):
    """Two lists, the first marked elected after round 1 held 30 days ago, one commitment on the world's
    action; made once per test, before the rows' savepoints."""
    if "followup_commitment" not in w:
        from datetime import time, timedelta

        from concerto.campaigns.models import ElectionRound
        from concerto.live_event import services as live
        from concerto.synthesis.models import Commitment, ElectedList

        organiser = w.users["organiser"]
        lists = [live.candidate_create(actor=organiser, campaign=w.campaign, name=name, list_name=f"Liste {name}")
                 for name in ("Lucie Ferrand", "Marc Olivier")]
        ElectionRound.objects.get_or_create(campaign=w.campaign, number=1, defaults={
            "vote_date": timezone.localdate() - timedelta(days=30), "polls_close": time(20, 0)})
        w.campaign.__dict__.pop("_election_rounds", None)
        ElectedList.objects.create(campaign=w.campaign, candidate=lists[0], round_number=1, marked_by=organiser,
                                   marked_at=timezone.now())
        w["followup_lists"] = lists
        w["followup_commitment"] = Commitment.objects.create(
            campaign=w.campaign, action=w.action, candidate=lists[0], stance="commits",
            status_since=timezone.localdate() - timedelta(days=30), created_at=timezone.now())
    return w["followup_commitment"]


def _followup_update(**over):
    return {"title": "Délibération du conseil", "happened_on": timezone.localdate().isoformat(), "status": "in_the_works",
            "note": "Budget voté.", "evidence_url": "https://mairie.example.fr/d", "client_id": str(uuid4()), **over}


def _followup_csv(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _followup(w)
    body = ("commitment_id,client_id,date,status,title,note,evidence_url\r\n"
            f"{c.pk},{uuid4()},{timezone.localdate().isoformat()},kept,Inauguration,,\r\n")
    return {"file": SimpleUploadedFile("suivi.csv", body.encode(), content_type="text/csv")}


def _followup_subscribed(w, role):
    from concerto.synthesis.models import ActionSubscription

    ActionSubscription.objects.create(action=_followup(w).action, user=w.users["resident"], created_at=timezone.now())


def _followup_token(w):
    from concerto.synthesis.notifications import unsubscribe_token

    return unsubscribe_token(w.users["resident"].pk, _followup(w).action_id)


PATH_VALUES.update({"commitment_id": lambda w: _Lazy(lambda: _followup(w).pk),
                    "unsubscribe_token": lambda w: _Lazy(lambda: _followup_token(w)),
                    "number": lambda w: _Lazy(lambda: (_followup(w), 1)[1])})
DATA.update({
    "POST synthesis:followup_elected": lambda w: {"candidate": str((_followup(w), w.followup_lists[1])[1].pk),
                                                  "reason": "Erreur de saisie : l'autre liste a gagné."},
    "POST synthesis:followup_import": _followup_csv,
    "POST synthesis:followup_update_add": lambda w: (_followup(w), _followup_update())[1],
    "POST /api/v1/campaigns/{slug}/followup/commitments/{commitment_id}/updates": lambda w: {
        **{k: v for k, v in _followup_update().items() if k != "happened_on"}, "date": timezone.localdate().isoformat()},
})
PREPARE.update({"POST synthesis:followup_unsubscribe": _followup_subscribed})
EFFECTS.update({
    "POST synthesis:followup_elected": lambda w, role, c: (_followup(w), list(
        apps.get_model("synthesis.ElectedList").objects.values_list("candidate_id", flat=True)))[1],
    "POST synthesis:followup_import": _count("synthesis.CommitmentUpdate"),
    "POST synthesis:followup_update_add": _count("synthesis.CommitmentUpdate"),
    "POST /api/v1/campaigns/{slug}/followup/commitments/{commitment_id}/updates": _count("synthesis.CommitmentUpdate"),
    "POST synthesis:followup_subscribe": _count("synthesis.ActionSubscription"),
    "POST synthesis:followup_unsubscribe": _count("synthesis.ActionSubscription"),
})


def expected_row(key: str) -> dict[str, str]:
    cells = MATRIX[key].split()
    assert len(cells) == len(ROLES), key
    return dict(zip(ROLES, cells, strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_matrix_row(world, key):
    expected = expected_row(key)
    actual = {role: answer(world, key, role)[0] for role in ROLES}
    assert actual == expected, "\n".join(
        f"{role:>20}: expected {expected[role]:<10} got {actual[role]}" for role in ROLES
    )


# --------------------------------------------------------------------------------------------------
# The one refusal rule (docs/architecture.md): on staff-only objects, "may not see" and "does not
# exist" get the same answer, 404, on the site and in the API alike.
# --------------------------------------------------------------------------------------------------

SIGNED_IN_PUBLIC = ("resident", "resident_elsewhere", "ambassador", "candidate")
REFUSED = {"403", "404"}


def test_staff_only_rows_refuse_with_404_never_403():
    """Read off the table: a row that the organiser passes and every signed-in resident is refused is
    staff-only, and its refusals are all 404 (never a 403 that would confirm the object exists)."""
    staff_only = []
    for key in MATRIX:
        cells = expected_row(key)
        if all(cells[r] in REFUSED for r in SIGNED_IN_PUBLIC) and cells["organiser"][0] in "23":
            staff_only.append(key)
            assert {c for r, c in cells.items() if c in REFUSED} == {"404"}, key
    assert any(k.startswith("GET letters:") for k in staff_only) and any(k.startswith("POST /api/") for k in staff_only)


# A staff-only page and its API twin, and the path value naming the object (None: the campaign's page).
STAFF_TWINS = [
    ("POST letters:household_edit", "PATCH /api/v1/campaigns/{slug}/households/{household_id}", "household_id"),
    ("POST letters:household_delete", "DELETE /api/v1/campaigns/{slug}/households/{household_id}", "household_id"),
    ("GET letters:batch", "GET /api/v1/campaigns/{slug}/letters/batches/{batch_id}", "batch_id"),
    ("GET letters:batches", "GET /api/v1/campaigns/{slug}/letters/batches", None),
    ("POST letters:batches", "POST /api/v1/campaigns/{slug}/letters/batches", None),
    ("GET letters:households", "GET /api/v1/campaigns/{slug}/households", None),
    ("GET letters:tracking", "GET /api/v1/campaigns/{slug}/letters/stats", None),
    ("POST selection:draw", "POST /api/v1/campaigns/{slug}/selections/{selection_id}/draw", "selection_id"),
    ("GET residents:team", "GET /api/v1/campaigns/{slug}/team", None),
    ("POST residents:team_revoke", "DELETE /api/v1/campaigns/{slug}/team/invitations/{invitation_id}", "invitation_id"),
]
MISSING_ID = 10**9


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "api_row", "id_name"), STAFF_TWINS, ids=[t[0] for t in STAFF_TWINS])
def test_a_staff_only_page_and_its_api_twin_answer_alike_for_missing_and_hidden(world, page, api_row, id_name):
    missing = {"slug": "nulle-part"} if id_name is None else {id_name: MISSING_ID}
    for role in ("resident", "resident_elsewhere", "candidate", "moderator", "organiser"):
        hidden_page, _r = answer(world, page, role)
        hidden_api, hidden_body = answer(world, api_row, role)
        gone_page, _r = answer(world, page, role, **missing)
        gone_api, gone_body = answer(world, api_row, role, **missing)
        assert gone_page == gone_api == "404", (role, gone_page, gone_api)
        if role == "organiser":
            continue  # may see it: the rows of MATRIX say what the organiser gets
        assert hidden_page == hidden_api == "404", (role, hidden_page, hidden_api)
        if id_name is not None:  # the same body for an object that exists and one that does not
            assert hidden_body.json() == gone_body.json(), role


# --------------------------------------------------------------------------------------------------
# Response headers on every GET-able URL, as a visitor and signed in
# --------------------------------------------------------------------------------------------------

GET_KEYS = sorted(k for k in MATRIX if k.startswith("GET "))


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    problems = []
    header = response.get("Content-Security-Policy")
    if not header:
        problems.append("no Content-Security-Policy")
    else:
        csp = csp_directives(header)
        scripts = csp.get("script-src", csp.get("default-src"))
        if scripts is None:
            problems.append("no script-src nor default-src")
        else:
            bad = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "'unsafe-hashes'"}
            if bad & set(scripts):
                problems.append(f"script-src allows {sorted(bad & set(scripts))}")
        for name in ("script-src-attr", "script-src-elem"):
            if name in csp and {"'unsafe-inline'", "'unsafe-eval'"} & set(csp[name]):
                problems.append(f"{name} allows unsafe code")
        if csp.get("object-src") != ["'none'"]:
            problems.append(f"object-src is {csp.get('object-src')}")
        if csp.get("base-uri") != ["'none'"]:
            problems.append(f"base-uri is {csp.get('base-uri')}")
        ancestors = csp.get("frame-ancestors")
        if not ancestors or "*" in ancestors:
            problems.append(f"frame-ancestors is {ancestors}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in {"same-origin", "no-referrer", "strict-origin",
                                                "strict-origin-when-cross-origin"}:
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("key", GET_KEYS)
def test_security_headers_on_every_page(world, key):
    problems = {}
    for role in ("visitor", "resident", "organiser"):
        _cell, response = answer(world, key, role)
        if found := header_problems(response):
            problems[role] = (response.status_code, found)
    assert not problems, problems


@pytest.mark.django_db
def test_no_answer_lets_another_origin_read_it(world):
    """No CORS grant: a page on another site cannot read the API or the pages with the visitor's credentials."""
    from django.test import Client

    for key in GET_KEYS:
        url = url_for(key, world)
        for client, headers in ((world.client("resident"), {}), (Client(), world.auth("resident"))):
            r = client.get(url, (data_for(key, world) or {}), HTTP_ORIGIN="https://evil.example", **headers)
            assert r.get("Access-Control-Allow-Origin") in (None, ""), key
            assert r.get("Access-Control-Allow-Credentials") in (None, ""), key
