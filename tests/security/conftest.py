"""A small world for the security suite: every persona, every kind of object, a token each.

Built through the real services, like the root ``conftest.py`` personas it extends. Nothing here
is imported from another app's tests: the suite stands on its own.
"""

import hashlib
import secrets
import shutil
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import models, transaction
from django.test import Client, override_settings
from django.utils import timezone

from concerto.proposals.models import Origin, Theme
from concerto.proposals.services import (
    action_create_published_by_system,
    action_propose,
    action_reject,
    comment_add,
    support_add,
)
from concerto.residents.models import Role, SignInLink, User
from concerto.residents.services import api_token_create
from conftest import make_campaign, make_user  # the root personas, as functions

ROLES = ["visitor", "resident", "resident_elsewhere", "ambassador", "candidate", "moderator", "facilitator",
         "organiser"]


class World(dict):
    """Objects by name; ``users[role]`` and ``tokens[role]`` (None for the visitor)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def client(self, role, **kwargs) -> Client:
        client = Client(**kwargs)
        if self.users[role] is not None:
            client.force_login(self.users[role])
        return client

    def auth(self, role) -> dict:
        token = self.tokens[role]
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


def new_link(email: str, *, minutes: int = 15, next_url: str = "") -> str:
    """A sign-in link row as the service makes it; returns the clear secret."""
    secret = secrets.token_urlsafe(32)
    SignInLink.objects.create(email=email, token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                              expires_at=timezone.now() + timedelta(minutes=minutes), next_url=next_url)
    return secret


def build_world() -> dict:
    """Every persona and object of the suite, as the root fixtures and ``letters_world`` make them
    (same slugs, addresses and passwords, so the tests may name them)."""
    campaign = make_campaign()
    other_campaign = make_campaign("autre-quartier", name="Autre quartier")
    published_action = action_create_published_by_system(
        campaign=campaign, title="Sécuriser la traversée devant l'école",
        summary="Un passage piéton surélevé et un feu pour les enfants qui vont à l'école.",
        body="Les voitures roulent **vite** le matin.", theme_id=Theme.objects.get(campaign=campaign, slug="mobilite").pk,
        place="Avenue Saint-Jérôme", origin=Origin.WORKSHOP)
    resident_alice = make_user("alice@example.org", campaign=campaign, role=Role.RESIDENT, name="Alice")
    resident_bob = make_user("bob@example.org", campaign=campaign, role=Role.RESIDENT, name="Bob")
    resident_elsewhere = make_user("eve@example.org", campaign=other_campaign, role=Role.RESIDENT, name="Eve")
    ambassador_bruno = make_user("bruno@example.org", campaign=campaign, role=Role.AMBASSADOR,
                                 password="bruno-password-123")
    candidate_claire = make_user("claire@example.org", campaign=campaign, role=Role.CANDIDATE,
                                 password="claire-password-123")
    moderator_marc = make_user("marc@example.org", campaign=campaign, role=Role.MODERATOR,
                               password="marc-password-123")
    facilitator_fanny = make_user("fanny@example.org", campaign=campaign, role=Role.FACILITATOR,
                                  password="fanny-password-123")
    organiser_dina = make_user("dina@example.org", campaign=campaign, role=Role.ORGANISER,
                               password="dina-password-123")
    users = {"visitor": None, "resident": resident_alice, "resident_elsewhere": resident_elsewhere,
             "ambassador": ambassador_bruno, "candidate": candidate_claire, "moderator": moderator_marc,
             "facilitator": facilitator_fanny, "organiser": organiser_dina}
    pending = action_propose(user=resident_bob, campaign=campaign, title="Proposition en attente secrète",
                             summary="Une proposition que seule la modération voit encore.",
                             body="Texte **en attente**.", place="Rue cachée")
    rejected = action_propose(user=resident_bob, campaign=campaign, title="Proposition refusée secrète",
                              summary="Une proposition que la modération a refusée.", place="Impasse refusée")
    action_reject(moderator=moderator_marc, campaign=campaign, action_id=rejected.pk,
                  reason="Hors du périmètre du quartier.")
    comment = comment_add(user=resident_bob, action=published_action, body="Un avis de Bob sur la traversée.")
    support_add(user=resident_bob, action=published_action)
    theme = Theme.objects.get(campaign=other_campaign, slug="mobilite")
    elsewhere_action = action_create_published_by_system(
        campaign=other_campaign, title="Une action d'un autre quartier", summary="Publiée dans l'autre campagne.",
        theme_id=theme.pk, origin=Origin.WORKSHOP)
    # Someone with a password and no role yet: signing in as them changes every role's session.
    User.objects.create_user("gaston@example.org", password="gaston-password-123")
    alice_token, _secret = api_token_create(user=resident_alice, name="script d'Alice")
    tokens = {role: (api_token_create(user=u, name="matrice")[1] if u is not None else None)
              for role, u in users.items()}
    letters = letters_world(campaign, organiser_dina, resident_alice, resident_bob)
    team = team_world(campaign, organiser_dina)
    room = room_world(campaign, facilitator_fanny, resident_alice)
    sheets = sheets_world(campaign, organiser_dina, facilitator_fanny)
    fieldwork_review = review_world(campaign, organiser_dina, letters["household"])
    return dict(
        **team,
        **sheets,
        **fieldwork_review,
        campaign=campaign, other_campaign=other_campaign, action=published_action, pending=pending,
        rejected=rejected, comment=comment, elsewhere_action=elsewhere_action, bob=resident_bob,
        alice_token=alice_token, users=users, tokens=tokens,
        link_secret=new_link("nouvelle-venue@example.org"),
        **letters,
        **room,
    )


def room_world(campaign, facilitator, alice) -> dict:
    """A workshop collecting ideas (the room's pages): Alice (the resident column) is invited and has
    posted one idea; Nadia is invited and not there yet; a phone waits to be let in."""
    import uuid

    from concerto.workshops import services as ws
    from concerto.workshops.models import Attendee, AttendeeSource
    from concerto.workshops.models import Phase as WallPhase

    start = timezone.now() + timedelta(hours=1)
    workshop = ws.workshop_create(by=None, campaign=campaign, title="Atelier de la matrice", starts_at=start,
                                  ends_at=start + timedelta(hours=2), place="Maison de quartier",
                                  facilitators=[facilitator])
    workshop = ws.workshop_phase_set(by=facilitator, workshop=workshop, phase=WallPhase.COLLECT)
    alice_seat = Attendee.objects.create(workshop=workshop, name="Alice M.", user=alice, source=AttendeeSource.PANEL)
    nadia = Attendee.objects.create(workshop=workshop, name="Nadia B.", source=AttendeeSource.PANEL)
    idea, _created = ws.idea_add(workshop=workshop, attendee=alice_seat, prompt="missing",
                                 text="Des bancs au square", client_id=uuid.uuid4(), by=alice)
    join_request = ws.join_request_create(workshop=workshop, name="Téléphone inconnu", device_id=uuid.uuid4())
    return {"workshop": workshop, "alice_seat": alice_seat, "nadia": nadia, "alice_idea": idea,
            "join_request": join_request}


def review_world(campaign, organiser, alice_household) -> dict:
    """Door to door under review (issue 13). Karim's phone (an ambassador of no column) sent a visit
    at Alice's household where a resident took part (counted: a possible duplicate of Alice, who
    joined online with its code), then the same visit again with other content (a conflict), then a
    second resident the same day, past the daily ceiling of 1 (a held batch and its flag). Captured
    inside the campaign's door-to-door phase (in the past: a phone may sync up to 7 days after it
    closed)."""
    import uuid

    from concerto.campaigns.models import Phase, PhaseKind
    from concerto.fieldwork import services as fieldwork
    from concerto.fieldwork.models import (
        Batch,
        FieldworkSettings,
        Flag,
        Participation,
        SyncConflict,
    )

    FieldworkSettings.objects.create(campaign=campaign, daily_ceiling=1)
    # Not Bruno (the ambassador column): an account with visits cannot be deleted yet (PROTECT), and the
    # matrix deletes each column's account.
    ambassador = make_user("karim@example.org", campaign=campaign, role=Role.AMBASSADOR, password="karim-pass-1234")
    script = fieldwork.consent_script_save(by=organiser, campaign=campaign, text=(
        "Nous gardons vos soutiens et vos propositions pour la consultation du quartier, jusqu'à la fin de la "
        "campagne. Vous pouvez demander leur effacement à l'association."))
    device, secret = fieldwork.device_create(by=organiser, campaign=campaign, ambassador_id=ambassador.pk,
                                             label="Téléphone de Karim")
    device, _token = fieldwork.device_enrol(user=ambassador, secret=secret)
    # Noon (local) inside the one-day door-to-door phase: its visits all fall on one local day,
    # whatever the hour the tests run (from start + 2 h, a run near 21:00 UTC crossed midnight and
    # the guards' day split the visits).
    start = Phase.objects.get(campaign=campaign, kind=PhaseKind.DOOR_TO_DOOR).starts_at
    at = timezone.make_aware(datetime.combine(timezone.localdate(start), time(12, 0)))
    if at < start + timedelta(hours=1):
        at += timedelta(days=1)

    def door(minutes, household=None):
        when = (at + timedelta(minutes=minutes)).isoformat()
        return {"id": str(uuid.uuid4()), "captured_at": when, "outcome": "talked", "address": "17 rue des Lavandes",
                "household": household, "participants": [{
                    "id": str(uuid.uuid4()), "initials": "R. L.", "supports": [], "proposals": [], "code": "",
                    "consent": {"given": True, "version": script.version, "text_hash": script.text_hash, "at": when}}]}

    def send(records):
        return fieldwork.visits_sync(ambassador=ambassador, device=device, campaign=campaign, records=records)

    first = door(0, household=alice_household.pk)
    assert send([first])[0]["held"] is False
    assert send([dict(first, outcome="refused", participants=[])])[0]["status"] == "conflict"
    assert send([door(10)])[0]["held"] is True
    return {"review_batch": Batch.objects.get(campaign=campaign, status="held"),
            "review_flag": Flag.objects.get(campaign=campaign), "review_conflict": SyncConflict.objects.get(campaign=campaign),
            "review_duplicate": Participation.objects.get(campaign=campaign, household=alice_household)}


def sheets_world(campaign, organiser, facilitator) -> dict:
    """A workshop at the action sheets phase (its vote closed, not yet closed itself): a draft sheet
    and a retained one waiting to be published."""
    import uuid

    from concerto.workshops import services as workshops
    from concerto.workshops.tests.sheets_world import fill_wall, make_workshop, move_to

    workshop = make_workshop(campaign, organiser, facilitators=[facilitator], number_title="Atelier des fiches")
    fill_wall(workshop, people=4, ideas=8, themes=3)
    workshop = move_to(workshop, "sheets", facilitator)
    fields = {"problem": "Il fait trop chaud sur la place.", "proposal": "Installer des bancs sous les platanes."}
    draft, _ = workshops.sheet_save(by=facilitator, workshop=workshop, client_id=str(uuid.uuid4()),
                                    title="Des bancs à l'ombre", **fields)
    retained, _ = workshops.sheet_save(by=facilitator, workshop=workshop, client_id=str(uuid.uuid4()),
                                       title="Des fontaines à eau", **fields)
    workshops.sheet_status_set(by=facilitator, workshop=workshop, sheet_id=retained.pk, status="retained")
    return {"sheets_workshop": workshop, "sheet": draft, "retained_sheet": retained}


def team_world(campaign, organiser) -> dict:
    """A pending team invitation (to an address with no account) and a "choose a password" link for
    Gaston (the account with a password and no role); their clear secrets live only here."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from concerto.residents.services import team_invite

    invitation, url = team_invite(by=organiser, campaign=campaign, email="nouveau-membre@example.org",
                                  role=Role.MODERATOR, build_url=lambda secret: secret)
    gaston = User.objects.get(email="gaston@example.org")
    return {"invitation": invitation, "invitation_token": url,
            "uidb64": urlsafe_base64_encode(force_bytes(gaston.pk)),
            "reset_token": default_token_generator.make_token(gaston)}


def _fresh(value):
    """The same rows read again: no instance (nor its caches, ``user._concerto_roles``,
    ``campaign._phases``…) is shared between two tests."""
    if isinstance(value, models.Model):
        return type(value)._base_manager.get(pk=value.pk)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


@pytest.fixture(scope="module")
def world_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per test module (a PDF render and two solver runs: too slow per test).

    It is built inside a transaction left open for the module and rolled back after its last test,
    so no other module ever sees it; each test runs in its own savepoint inside it (``db``) and
    finds the world untouched. The clear secrets (tokens, link, PIN) live only here: the database
    keeps their hashes. The letters' PDF files are kept in ``media``.
    """
    media = tmp_path_factory.mktemp("world-media")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(MEDIA_ROOT=media):
                data = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield data, media
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(request.fixturenames)
                or (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))))


@pytest.fixture
def world(request, world_data, db, settings, tmp_path):
    if _transactional(request):
        # It would run inside the module's open transaction (its commits not real), and its end
        # (flush, connection closed) would lose the world: it takes transactional_world instead.
        pytest.fail("world is rolled back, never committed: a transactional test takes transactional_world")
    data, media = world_data
    shutil.copytree(media, tmp_path, dirs_exist_ok=True)  # the letters' PDFs, in this test's own folder
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # the set-up above counted against rate limits
    return World(_fresh(data))


@pytest.fixture
def transactional_world(transactional_db, settings, tmp_path):
    """The same world, committed for one test (threads, real commits) and flushed after it: slow,
    and only in a module where no test takes ``world`` (that module's transaction would be open)."""
    if transaction.get_connection().in_atomic_block:
        pytest.fail("transactional_world inside a module whose world transaction is open: move the test")
    settings.MEDIA_ROOT = tmp_path
    world = World(build_world())
    cache.clear()
    return world


# --------------------------------------------------------------------------------------------------
# Letters, codes, volunteers and selections
# --------------------------------------------------------------------------------------------------

JOIN_URL = "https://concerto.example/c/quartier/rejoindre/"
PIN = "482915"
# Words only organisers may ever read: household names and addresses, the draft selection's title,
# the pool's real names. test_visibility searches every public answer for them.
HOUSEHOLD_SECRETS = ["Famille Secrète-Lavande", "17 rue des Lavandes", "Foyer Caché-Jérôme"]
DRAFT_TITLE = "Brouillon secret SQ7"
POOL_NAMES = ["Bob", "Gilles Sans-Courriel", "Volontaire Nadia", "Volontaire Omar", "Volontaire Pia",
              "Volontaire Quentin"]
TALENTS = [{"code": "dessin", "label": "Dessiner"}, {"code": "histoire", "label": "Histoire du quartier"}]
DATES = [{"code": "atelier-1", "label": "Samedi 14 mars"}, {"code": "atelier-2", "label": "Samedi 28 mars"}]
QUESTIONS = [{"code": "age", "label": "Âge", "options": [{"code": "jeune", "label": "Moins de 45 ans"},
                                                        {"code": "senior", "label": "45 ans et plus"}]}]


def _clone(selection, **changes):
    """Another row in the same stage (ORM copy): cheaper than computing the distribution again."""
    from concerto.selection.models import Selection

    copy = Selection.objects.get(pk=selection.pk)
    copy.pk = None
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    return copy


def letters_world(campaign, organiser, alice, bob) -> dict:
    """Households with codes, the letter settings, a rendered batch, an import left in preview, street
    rules, an open call for volunteers, volunteers, and selections at every stage.

    Alice (the ``resident`` column) joined with her household's code: she is a resident verified by
    letter, so the volunteer form lets her in, and the rows for volunteering show what a resident
    who MAY volunteer gets (e-mail-only residents are refused by rule, see the volunteer tests).
    She has not volunteered yet, so her form creates her record. Bob, Gilles (no e-mail, code + PIN)
    and four more letter-verified residents volunteered: they are the pool of the selections.
    """
    from concerto.campaigns.models import Sector
    from concerto.joining import services as joining
    from concerto.letters import services as letters
    from concerto.letters.models import Household, InvitationCode
    from concerto.selection import selectors as sel_selectors
    from concerto.selection import services as sel
    from concerto.selection.models import SeatStatus, SelectionStatus
    from concerto.volunteers.services import call_configure, volunteer_save

    north = Sector.objects.create(campaign=campaign, code="nord", name="Nord")
    south = Sector.objects.create(campaign=campaign, code="sud", name="Sud")
    letters.letter_settings_update(
        user=organiser, campaign=campaign, sender_lines="Comité du quartier\n1 place du Marché",
        place="Aix-en-Provence", title="Votre invitation", body="Bonjour {nom},\nvotre code : {code}.",
        signature="Le comité", residents_per_code=4, support_level="any")
    rule = letters.street_rule_add(user=organiser, campaign=campaign, street="rue des Lavandes", sector_id=north.pk)
    letters.street_rule_add(user=organiser, campaign=campaign, street="avenue Saint-Jérôme", sector_id=south.pk)
    first = letters.household_import_preview(
        user=organiser, campaign=campaign, filename="foyers.csv",
        data=("nom;adresse;code_postal;ville\n"
              "Famille Secrète-Lavande;17 rue des Lavandes;13090;Aix\n"
              "Foyer Caché-Jérôme;3 avenue Saint-Jérôme;13090;Aix\n").encode())
    assert first.error_count == 0, first.preview
    letters.household_import_confirm(user=organiser, campaign=campaign, import_id=first.pk)
    batch = letters.batch_create(user=organiser, campaign=campaign, join_url=JOIN_URL)  # two letters, rendered
    batch.refresh_from_db()
    assert batch.status == "done", batch.error
    for n in range(1, 7):
        letters.household_create(user=organiser, campaign=campaign, address_line1=f"{n} rue des Lavandes",
                                 postcode="13090", city="Aix", sector=north if n % 2 else south)
    pending_import = letters.household_import_preview(
        user=organiser, campaign=campaign, filename="nouveaux.csv",
        data=b"adresse;code_postal;ville\n40 rue des Lavandes;13090;Aix\n41 rue des Lavandes;13090;Aix\n")
    households = list(Household.objects.filter(campaign=campaign).order_by("pk"))
    codes = {h.pk: InvitationCode.objects.get(household=h, revoked_at__isnull=True).code for h in households}
    alice_household = households[0]
    joining.code_join_signed_in(user=alice, campaign=campaign, text=codes[alice_household.pk], ip="10.0.0.1")
    joining.code_join_signed_in(user=bob, campaign=campaign, text=codes[households[1].pk], ip="10.0.0.1")
    gilles = joining.code_join_with_pin(campaign=campaign, text=codes[households[2].pk], ip="10.0.0.1",
                                        display_name="Gilles Sans-Courriel", pin=PIN, pin_again=PIN).user
    pool = [bob, gilles]
    for i, name in enumerate(POOL_NAMES[2:]):
        person = User.objects.create_user(f"volontaire{i}@example.org", display_name=name)
        joining.code_join_signed_in(user=person, campaign=campaign, text=codes[households[3 + i].pk], ip="10.0.0.1")
        pool.append(person)
    call = call_configure(
        user=organiser, campaign=campaign, is_open=True, intro="Rejoignez les ateliers du quartier.",
        talents=TALENTS, workshop_dates=DATES, profile_questions=QUESTIONS, consent_text="J'accepte.")
    for i, person in enumerate(pool):
        volunteer_save(user=person, campaign=campaign, talents=["dessin"] if i % 2 else ["histoire"],
                           availability=["atelier-1", "atelier-2"],
                           profile={"age": "jeune" if i % 3 else "senior"}, consent=True)

    def new_selection(title, quotas=None):
        if quotas is None:
            snapshot = sel_selectors.pool_snapshot(campaign, [])
            quotas = sel_selectors.quota_suggestion(
                categories=sel_selectors.selection_categories(campaign), counts=sel_selectors.pool_counts(snapshot),
                pool_size=len(snapshot), panel_size=2)
        return sel.selection_create(by=organiser, campaign=campaign, title=title, panel_size=2, required_dates=[],
                                    time_limit=20, quotas=quotas)

    draft = new_selection(DRAFT_TITLE)
    drawn = sel.selection_compute(by=organiser, selection=new_selection("Tirage des ateliers"))
    assert drawn.status == SelectionStatus.DRAFT and drawn.distribution, drawn.error
    computed = _clone(drawn, title="Calculée pas encore publiée")
    drawn = sel.selection_publish(by=organiser, selection=drawn)
    published = _clone(drawn, title="Publiée pas encore annoncée")
    drawn = sel.selection_announce(by=organiser, selection=drawn, random_source="Trois dés devant les témoins",
                                   witnesses="Maître Dupont", random_known_at=timezone.now(),
                                   random_format={"kind": "lottery", "count": 3, "low": 1, "high": 6})
    announced = _clone(drawn, title="Annoncée pas encore tirée")
    drawn = sel.selection_draw(by=organiser, selection=drawn, random_value="4 2 6")
    # Both seniors on the panel, but nobody with the "histoire" talent: one senior has it.
    impossible = {("age", "senior"): (2, 2), ("age", "jeune"): (0, 0), ("talent:histoire", "oui"): (0, 0)}
    quotas = [dict(q) for q in draft.quotas]
    for q in quotas:
        if (q["category"], q["value"]) in impossible:
            q["min"], q["max"] = impossible[(q["category"], q["value"])]
    infeasible = new_selection("Quotas impossibles", quotas=quotas)
    infeasible = sel.selection_compute(by=organiser, selection=infeasible)
    assert infeasible.status == SelectionStatus.INFEASIBLE, infeasible.status
    seat = drawn.seats.filter(status=SeatStatus.SELECTED).first()
    return {
        "sectors": {"nord": north, "sud": south}, "rule": rule, "batch": batch, "pending_import": pending_import,
        "household": alice_household, "households": households, "codes": codes, "gilles": gilles, "pool": pool, "call": call,
        "draft_selection": draft, "computed_selection": computed, "published_selection": published,
        "announced_selection": announced, "drawn_selection": drawn, "infeasible_selection": infeasible, "seat": seat,
        "free_code": codes[households[-1].pk],
    }


class _Undo(Exception):
    pass


@contextmanager
def undone():
    """Run a block inside a savepoint rolled back afterwards (and forget rate-limit counters), so each
    role of a matrix row acts on the same, untouched world."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass
    finally:
        cache.clear()
