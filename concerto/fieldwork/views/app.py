"""The ambassador's installable offline app (docs/fieldwork-app.md).

- ``app``: the shell page, for the campaign's ambassadors (anyone else: the 404 page, the one refusal
  rule; visitors: the sign-in page). It holds no personal data: everything the ambassador sees comes
  from ``app_data`` and lives in the phone's IndexedDB, so a cached copy of the shell serves any day.
- ``app_manifest`` and ``app_worker``: the web app manifest and the service worker. Public on purpose
  (they hold nothing personal): the browser checks the worker for updates with whatever session it
  has, and an update refused because a session ended must not leave a phone without its app.
  The worker is served from the app's own path so that its default scope covers the app's pages.
- ``app_data``: the JSON the phone caches before leaving (actions, rounds, consent text, profile
  questions, a CSRF token for its sync requests).
- ``app_sync``: the phone's queue, ``POST {"records": [...]}``, answered per record by
  ``services.visits_sync``. Credentials: the ambassador's session, the CSRF token (header), and the
  phone's device token (the HttpOnly ``concerto_device`` cookie set at enrolment). Whole-request
  refusals answer JSON with a stable code and a French sentence; a busy database answers 503 with
  ``Retry-After``, never 500, and the phone simply sends again (every record is idempotent).
"""

import hashlib
import json
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError
from concerto.core.http import require

from .. import rules, selectors, services
from ..errors import (
    BadJson,
    BatchTooLarge,
    DeviceRevoked,
    DeviceUnknown,
    DoorPhaseClosed,
    FieldworkNotFound,
    NotAmbassador,
    ServerBusy,
    SignedOut,
)

DEVICE_COOKIE = "concerto_device"
# A sync request's body, at most: 200 records of about 5 KB (services.BATCH_MAX) fit in it.
BODY_MAX = 1_500_000
# A busy database (SQLite's "database is locked", a PostgreSQL deadlock or serialization failure):
# the whole transaction rolled back, tried again this many times, then 503 and the phone retries.
BUSY_TRIES = 3
BUSY_PAUSE = 0.2
RETRY_AFTER_SECONDS = 5

# What the shell loads and the worker precaches (besides the shell itself). If you add a script or a
# stylesheet to templates/fieldwork/app.html or base.html, add it here too.
ASSETS = [
    "concerto/site.css", "vendor/htmx.min.js", "concerto/app.js", "concerto/live.js",
    "vendor/dexie.min.js", "concerto/doors/app.css", "concerto/doors/app.js", "concerto/doors/icon.svg",
    "concerto/doors/icon-192.png", "concerto/doors/icon-512.png",
]
# The worker's own libraries (importScripts, in this order: each builds on the previous ones).
WORKBOX = ["core", "routing", "strategies", "precaching", "cacheable-response"]
SHELL_TEMPLATES = ["base.html", "fieldwork/app.html"]


def _json_error(error: DomainError) -> JsonResponse:
    response = JsonResponse({"code": error.code, "message": str(error.message)}, status=error.status)
    if error.status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _campaign_for_app(request, slug):
    """Fetch-and-authorize: the campaign, when the person is one of its ambassadors (else 404)."""
    campaign = campaign_get(slug)
    require(rules.can_use_app(request.user, campaign), FieldworkNotFound())
    return campaign


def _device(request):
    return services.device_for_token(request.COOKIES.get(DEVICE_COOKIE, ""))


# --- the shell, the manifest, the worker ----------------------------------------------------------


@login_required
@require_GET
def app(request, slug):
    campaign = _campaign_for_app(request, slug)
    strings = {
        "waiting": _("%(n)s waiting"), "last_sync": _("last sending %(time)s"), "never_sent": _("never sent"),
        "saved": _("Visit saved on the phone."), "sent_all": _("Everything is sent."),
        "offline": _("No network: the visits wait on the phone."), "online": _("Network available."),
        "sending": _("Sending…"), "retry_at": _("New try at %(time)s."),
        "refused": _("Refused"), "conflict": _("Conflict"), "waiting_one": _("Waiting"),
        "persist_denied": _("The browser did not promise to keep the data: send your visits often."),
        "old_waiting": _("Visits have been waiting on this phone for more than 24 hours: send them as soon as "
                         "you have network. Some browsers (Safari) erase a site's data after 7 days without use."),
        "install": _("Add this app to the home screen: the phone then keeps its data better and it opens "
                     "without network."),
        "no_storage": _("This browser cannot store visits (private browsing?): open the app in a normal window."),
        "no_data": _("The round is not on the phone yet: open the app once with the network before leaving."),
        "no_consent": _("No consent text for this campaign yet: you can record visits, but no resident can take "
                        "part. Ask an organiser."),
        "no_device": _("This phone is not enrolled: the visits are kept, but they will only be sent once an "
                       "organiser has enrolled it (QR code)."),
        "consent_first": _("Read the consent text and confirm that the person accepts first."),
        "proposal_short": _("A proposal needs at least 10 characters."),
        "proposal_read_back": _("Confirm that each proposal was read back to the person."),
        "address_required": _("Choose a door of the round or type the address."),
        "outcome_required": _("Choose what happened at the door."),
        "resident": _("Resident %(n)s"), "data_at": _("Round and actions updated %(time)s."),
        "unused_code": _("letter code not used yet"), "no_round": _("No round planned: type the addresses."),
        "round_of": _("Round of %(day)s"), "visited": _("visited"),
        "priority": _("First: households whose letter code was never used"), "others": _("Then"),
        "signed_out": str(SignedOut.message), "download_name": _("waiting-visits"),
        "people": _("%(n)s taking part"), "stuck": _("%(n)s to check"),
        "no_theme": _("Other actions"), "chosen": _("%(n)s chosen"), "phase_closed": str(DoorPhaseClosed.message),
    }
    context = {
        "campaign": campaign,
        # The script's sentences, in a data attribute (escaped there): no inline script under the CSP.
        "strings_json": json.dumps({k: str(v) for k, v in strings.items()}, ensure_ascii=False),
        "urls": {
            "data": reverse("fieldwork:app_data", args=[slug]), "sync": reverse("fieldwork:app_sync", args=[slug]),
            "worker": reverse("fieldwork:app_worker", args=[slug]), "scope": reverse("fieldwork:app", args=[slug]),
            "manifest": reverse("fieldwork:app_manifest", args=[slug]),
        },
        "retry_seconds": settings.CONCERTO_FIELDWORK_RETRY_SECONDS,
        "batch_size": 25,
    }
    return render(request, "fieldwork/app.html", context)


@require_GET
def app_manifest(request, slug):
    campaign = campaign_get(slug)
    scope = reverse("fieldwork:app", args=[slug])
    manifest = {
        "name": _("Door to door – %(campaign)s") % {"campaign": campaign.name},
        "short_name": _("Door to door"),
        "description": _("Record door-to-door visits, even without network."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": scope,
        "scope": scope,
        "id": scope,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b3d91",
        "icons": [
            {"src": static("concerto/doors/icon-192.png"), "sizes": "192x192", "type": "image/png",
             "purpose": "any maskable"},
            {"src": static("concerto/doors/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any maskable"},
            {"src": static("concerto/doors/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@lru_cache(maxsize=256)
def _file_digest(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def _revision(relative: str) -> str:
    found = finders.find(relative)
    if not found:
        return "missing"
    return _file_digest(found, Path(found).stat().st_mtime_ns)


def _shell_revision() -> str:
    """Changes when the shell's templates, its assets or the language change (then the worker
    precaches the shell again)."""
    parts = [get_language() or ""]
    for name in SHELL_TEMPLATES:
        origin = get_template(name).origin.name
        parts.append(_file_digest(origin, Path(origin).stat().st_mtime_ns))
    parts.extend(_revision(a) for a in ASSETS)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@require_GET
def app_worker(request, slug):
    campaign_get(slug)
    precache = [{"url": static(a), "revision": _revision(a)} for a in ASSETS]
    shell = reverse("fieldwork:app", args=[slug])
    precache.append({"url": shell, "revision": _shell_revision()})
    context = {
        # Static URLs, paths and hashes only (no request data), as JSON: valid JavaScript literals.
        "imports": ", ".join(json.dumps(static(f"vendor/workbox/workbox-{m}.prod.js")) for m in WORKBOX),
        "precache_json": json.dumps(precache),
        "shell_json": json.dumps(shell),
        "version": _shell_revision(),
    }
    response = render(request, "fieldwork/app_sw.js", context, content_type="text/javascript; charset=utf-8")
    # Browsers check the worker at most every 24 hours whatever this says; no-cache makes each check real.
    response["Cache-Control"] = "no-cache"
    return response


# --- the data the phone takes along ----------------------------------------------------------------


@never_cache
@require_GET
def app_data(request, slug):
    if not request.user.is_authenticated:
        return _json_error(SignedOut())
    try:
        campaign = _campaign_for_app(request, slug)
    except DomainError as error:
        return _json_error(error)
    script = selectors.consent_current(campaign)
    device = _device(request)
    active = rules.device_is_active(device, request.user, campaign)
    now = timezone.now()
    return JsonResponse({
        "campaign": {"slug": campaign.slug, "name": campaign.name},
        "generated_at": now.isoformat(),
        "csrf_token": get_token(request),
        "door_phase_open": rules.door_phase_open(campaign),
        "device": {"label": device.label, "active": active} if device is not None and active else None,
        "actions": selectors.app_actions(campaign),
        "consent": ({"version": script.version, "text": script.text, "text_hash": script.text_hash}
                    if script is not None else None),
        "profile_questions": selectors.app_profile_questions(campaign),
        "rounds": selectors.app_rounds(request.user, campaign, timezone.localdate(now)),
        "limits": {"batch": services.BATCH_MAX, "participants": services.PARTICIPANTS_MAX,
                   "proposals": services.PROPOSALS_MAX},
    })


# --- the phone's queue -----------------------------------------------------------------------------


def _is_busy(error: OperationalError) -> bool:
    text = str(error).lower()
    return any(s in text for s in ("database is locked", "deadlock", "could not serialize", "database table is locked"))


def _records_of(request) -> list:
    if request.content_type != "application/json":
        raise BadJson()
    try:
        body = request.body
    except (RequestDataTooBig, RawPostDataException):
        raise BatchTooLarge() from None
    if len(body) > BODY_MAX:
        raise BatchTooLarge()
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadJson() from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise BadJson()
    return data["records"]


@require_POST
def app_sync(request, slug):
    if not request.user.is_authenticated:
        return _json_error(SignedOut())
    device = _device(request)
    try:
        campaign = campaign_get(slug)
        # Who is asking, before reading what they send (visits_sync checks it again, in its transaction).
        require(rules.can_use_app(request.user, campaign), NotAmbassador())
        if not rules.can_sync(request.user, campaign, device):
            mine = device is not None and device.ambassador_id == request.user.pk and device.campaign_id == campaign.pk
            raise DeviceRevoked() if mine and device.revoked_at is not None else DeviceUnknown()
        records = _records_of(request)
    except DomainError as error:
        return _json_error(error)
    for attempt in range(BUSY_TRIES):
        try:
            results = services.visits_sync(ambassador=request.user, device=device, campaign=campaign,
                                           records=records)
            break
        except DomainError as error:
            return _json_error(error)
        except (OperationalError, IntegrityError) as error:
            # visits_sync is one transaction, rolled back whole: trying again is safe. An IntegrityError
            # here is a parallel request that stored the same resident first: tried again, the record
            # is then answered on its own (already there, or refused) and the rest of the batch kept.
            busy = isinstance(error, IntegrityError) or _is_busy(error)
            if not busy or transaction.get_connection().in_atomic_block:
                raise
            if attempt == BUSY_TRIES - 1:
                return _json_error(ServerBusy())
            time.sleep(BUSY_PAUSE * (attempt + 1))
    return JsonResponse({"results": results, "received_at": timezone.now().isoformat()})


urlpatterns = [
    path("terrain/app/", app, name="app"),
    path("terrain/app/manifest.webmanifest", app_manifest, name="app_manifest"),
    path("terrain/app/sw.js", app_worker, name="app_worker"),
    path("terrain/app/donnees/", app_data, name="app_data"),
    path("terrain/app/envoi/", app_sync, name="app_sync"),
]
