"""Benchmark data: the demo (``seed``) or a city-sized campaign (``city``), on SQLite or PostgreSQL.

    uv run python bench/generate.py --scale city --database postgres          # build or reuse, then plan
    uv run python bench/generate.py --scale city --database postgres --force  # rebuild from scratch
    uv run python bench/generate.py --scale city --database postgres --restore

Databases are throw-away: a SQLite file in ``$BENCH_DIR`` (default ``/tmp/concerto-bench``) or the
PostgreSQL database ``concerto_bench_<scale>``. ``seed`` is ``manage.py load_demo``, rebuilt each
run (a few seconds; its phase dates follow the day it is loaded). ``city`` is 10,000 actions,
20,000 residents, 100,000 supports and 50,000 comments written with ``bulk_create``; it is kept
between runs and reused when its marker (generator version, migrations, row counts) still matches.

Invariants the generator keeps, like the services do: ``Action.support_count`` = COUNT(*) of its
supports, ``Action.comment_count`` = COUNT(*) of its visible comments, ``search_text`` from
``search_key`` and ``body_html`` from ``render_markdown``.

After generating, the *plan* (``plan-<scale>-<database>.json``) fixes what the benchmarks use:
the pages to request, API tokens of "writer" residents (deterministic secrets, stored hashed as
the service does) and (resident, action) pairs that do not exist in the data, so benchmark writes
never touch generated rows. ``--restore`` checks the counters, then deletes every row written
after generation and recounts, bringing the database back to its marker.
"""

import argparse
import hashlib
import io
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG_ADMIN_URL, PG_PREFIX, WORK_DIR, log, plan_path  # noqa: E402

GENERATOR_VERSION = "4"
CITY = {"actions": 10_000, "residents": 20_000, "supports": 100_000, "comments": 50_000}
CITY_SLUG = "aix-nord"
WRITERS = {"seed": 120, "city": 2_000}  # residents with an API token, used by the write benchmarks
WRITER_ACTIONS = 20  # actions each writer may support in the write benchmark
# Accented on purpose (search_key folds accents), percent-encoded in the URL; a word of a few titles.
SEARCH_WORD = {"seed": "école", "city": "pétanque"}
FILTER_THEME = {"seed": None, "city": "mobilite"}  # None: the theme with the most public actions

# --- French-looking content ----------------------------------------------------------------------

THEMES = [
    ("mobilite", "Mobilité"), ("espaces-verts", "Espaces verts"), ("proprete", "Propreté"),
    ("securite", "Sécurité"), ("culture", "Culture"), ("sport", "Sport"),
    ("commerces", "Commerces"), ("jeunesse", "Jeunesse"), ("seniors", "Aînés"),
    ("logement", "Logement"),
]
VERBS = ["Installer", "Créer", "Rénover", "Sécuriser", "Végétaliser", "Aménager", "Ouvrir", "Agrandir",
         "Éclairer", "Nettoyer", "Réparer", "Déplacer", "Protéger", "Animer", "Signaler", "Ombrager"]
OBJECTS = ["des bancs", "un jardin partagé", "une piste cyclable", "le passage piéton", "l'aire de jeux",
           "des toilettes publiques", "un composteur collectif", "la fontaine", "des arceaux à vélos",
           "le terrain de pétanque", "la cour de l'école", "un marché de producteurs", "des poubelles de tri",
           "la halte du bus", "un local associatif", "des arbres fruitiers", "le parvis de la mairie annexe",
           "une boîte à livres", "le trottoir", "un ralentisseur", "la bibliothèque de rue", "le city-stade",
           "des places de livraison", "un point d'eau", "l'éclairage du parking"]
PLACES = ["avenue Saint-Jérôme", "chemin des Micocouliers", "rue des Lavandes", "allée des Cigales",
          "traverse du Vallon", "place du Marché", "boulevard des Platanes", "impasse des Oliviers",
          "quai du Canal", "montée des Pins", "rue de l'École", "square Jean-Moulin", "cours Mirabeau",
          "route de Galice", "chemin de la Colline", "rue Lapierre"]
REASONS = ["pour les enfants qui vont à l'école", "pour les personnes âgées", "pour circuler en sécurité",
           "pour se retrouver entre voisins", "contre la chaleur en été", "pour les familles du quartier",
           "pour réduire le bruit la nuit", "pour les commerçants", "pour les personnes en fauteuil",
           "pour limiter la vitesse des voitures", "pour les jeunes le soir", "pour garder le quartier propre"]
SENTENCES = [
    "Le matin, les voitures roulent **trop vite** et les parents hésitent à laisser les enfants seuls.",
    "Plusieurs habitants l'ont demandé lors de l'atelier du mois dernier.",
    "Le coût reste modeste si la commune s'appuie sur les associations du quartier.",
    "En été, il n'y a *aucune ombre* entre l'arrêt de bus et les immeubles.",
    "Un entretien régulier éviterait les dépôts sauvages que l'on voit chaque semaine.",
    "Les personnes âgées de la résidence n'ont pas d'endroit pour s'asseoir.",
    "Le projet pourrait être réalisé en deux temps, avant et après l'été.",
    "Les commerçants de la place sont prêts à participer à l'entretien.",
    "Il faudrait consulter les riverains avant de choisir l'emplacement exact.",
    "La nuit, l'éclairage est insuffisant et certains passages font peur.",
    "Les enfants du collège passent par là tous les jours à pied ou à vélo.",
    "Une réunion publique permettrait d'affiner la proposition avec la mairie.",
]
COMMENT_BITS = ["Tout à fait d'accord.", "Bonne idée, mais attention au stationnement.",
                "J'habite juste à côté : c'est urgent.", "Il faudrait aussi penser aux poussettes.",
                "Déjà demandé il y a deux ans, sans suite.", "Pourquoi pas, si l'entretien est prévu.",
                "Merci pour cette proposition !", "Les enfants de l'école en ont vraiment besoin.",
                "Je préférerais un autre emplacement, plus près de la place.",
                "Le soir, c'est là que les jeunes se retrouvent.", "Attention au coût pour la commune."]
FIRST_NAMES = ["Camille", "Nadia", "Lucas", "Inès", "Hugo", "Léa", "Karim", "Chloé", "Mathis", "Yasmine",
               "Louis", "Manon", "Sofiane", "Jeanne", "Théo", "Amina", "Paul", "Sarah", "Nathan", "Julie",
               "Mehdi", "Lina", "Arthur", "Emma", "Rayan", "Louise", "Gabriel", "Zoé", "Adam", "Alice"]


def unusable_password() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(None)  # "!…": no password, as for residents who sign in by link


def writer_secret(user_id: int) -> str:
    """Deterministic bench-only token secret (the database keeps only its SHA-256, as in production)."""
    return f"cto_bench{user_id}_" + hashlib.sha256(f"concerto-bench-{user_id}".encode()).hexdigest()[:24]


# --- Database lifecycle --------------------------------------------------------------------------


def db_name(scale: str) -> str:
    return f"{PG_PREFIX}{scale}"


def pg_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(scale: str, database: str) -> None:
    if database == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name(scale)}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{WORK_DIR / f'{scale}.sqlite3'}{suffix}").unlink(missing_ok=True)


def create_database(scale: str, database: str) -> None:
    if database == "postgres":
        import psycopg

        if not pg_exists(db_name(scale)):
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db_name(scale)}"')
    WORK_DIR.mkdir(parents=True, exist_ok=True)


def migrations_fingerprint() -> str:
    from django.db.migrations.loader import MigrationLoader

    leaves = sorted(f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    return hashlib.sha256("|".join(leaves).encode()).hexdigest()[:16]


def read_marker() -> dict | None:
    from django.db import connection

    with connection.cursor() as cur:
        if "bench_marker" not in connection.introspection.table_names(cur):
            return None
        cur.execute("SELECT value FROM bench_marker WHERE name = 'marker'")
        row = cur.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(marker: dict) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_marker (name varchar(40) PRIMARY KEY, value text NOT NULL)")
        cur.execute("DELETE FROM bench_marker WHERE name = 'marker'")
        cur.execute("INSERT INTO bench_marker (name, value) VALUES ('marker', %s)", [json.dumps(marker)])


def counts(campaign) -> dict:
    from concerto.proposals.models import Action, Comment, Support
    from concerto.residents.models import Membership, Role

    return {
        "actions": Action.objects.filter(campaign=campaign).count(),
        "residents": Membership.objects.filter(campaign=campaign, role=Role.RESIDENT).count(),
        "supports": Support.objects.filter(action__campaign=campaign).count(),
        "comments": Comment.objects.filter(action__campaign=campaign).count(),
    }


def counter_mismatches(campaign, *, ids: bool = False) -> dict:
    """Actions whose denormalised counters differ from a fresh COUNT(*) of their rows."""
    from django.db.models import Count, F, Q

    from concerto.proposals.models import Action, CommentStatus

    annotated = Action.objects.filter(campaign=campaign).annotate(
        n_supports=Count("supports", distinct=True),
        n_comments=Count("comments", filter=Q(comments__status=CommentStatus.VISIBLE), distinct=True),
    )
    supports = annotated.exclude(support_count=F("n_supports")).values_list("id", flat=True)
    comments = annotated.exclude(comment_count=F("n_comments")).values_list("id", flat=True)
    if ids:
        return {"support_count": list(supports), "comment_count": list(comments)}
    return {"support_count": supports.count(), "comment_count": comments.count()}


def duplicate_supports(campaign) -> int:
    from django.db.models import Count

    from concerto.proposals.models import Support

    return (Support.objects.filter(action__campaign=campaign, user__isnull=False)
            .values("action_id", "user_id").annotate(n=Count("id")).filter(n__gt=1).count())


def watermarks() -> dict:
    from django.db.models import Max

    from concerto.core.models import AuditEntry
    from concerto.proposals.models import Support
    from concerto.residents.models import User

    return {"support": Support.objects.aggregate(m=Max("id"))["m"] or 0,
            "audit": AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0,
            "user": User.objects.aggregate(m=Max("id"))["m"] or 0}


def vacuum() -> None:
    """PostgreSQL: what autovacuum does after a bulk load or a benchmark's deletes (planner statistics,
    visibility map for index-only scans), so runs do not depend on when autovacuum last passed."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")


def restore(marker: dict) -> dict:
    """Check counters, then remove every support, audit entry and account written after generation."""
    from django.db import transaction
    from django.db.models import Count, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from concerto.campaigns.models import Campaign
    from concerto.core.models import AuditEntry
    from concerto.proposals.models import Action, Support
    from concerto.residents.models import User

    campaign = Campaign.objects.get(slug=marker["slug"])
    mismatched = counter_mismatches(campaign, ids=True)["support_count"]
    bench_rows = Support.objects.filter(id__gt=marker["watermarks"]["support"])
    touched = set(bench_rows.values_list("action_id", flat=True)) | set(mismatched)
    before = {"support_count_mismatches": len(mismatched), "duplicates": duplicate_supports(campaign),
              "bench_supports_left": bench_rows.count()}
    with transaction.atomic():
        bench_rows.delete()
        User.objects.filter(id__gt=marker["watermarks"].get("user", 1 << 62)).delete()  # integrity residents (seed)
        AuditEntry.objects.filter(id__gt=marker["watermarks"]["audit"]).delete()
        fresh = (Support.objects.filter(action=OuterRef("pk")).order_by().values("action")
                 .annotate(n=Count("id")).values("n"))
        Action.objects.filter(pk__in=touched).update(support_count=Coalesce(Subquery(fresh), Value(0)))
    return before


# --- Seed: the demo -----------------------------------------------------------------------------


def build_seed() -> str:
    from django.core.management import call_command

    from concerto.demo import content

    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    return content.CAMPAIGN["slug"]


# --- City: bulk rows ------------------------------------------------------------------------------


def _weights(ranks: list[int], offset: int) -> list[float]:
    """A long-tail popularity: the action of rank r draws a share 1/(r + offset)."""
    return [1.0 / (rank + offset) for rank in ranks]


def _spread(total: int, weights: list[float], cap: int) -> list[int]:
    """Integers proportional to weights, each ≤ cap, summing exactly to total."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [min(cap, int(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(out) < total:
        j = order[i % len(order)]
        if out[j] < cap:
            out[j] += 1
        i += 1
    return out


def build_city() -> str:
    from django.db import transaction
    from django.utils import timezone

    from concerto.campaigns.models import Campaign, Organisation, Phase, PhaseKind, Sector
    from concerto.core.text import render_markdown, search_key
    from concerto.proposals.models import (
        Action,
        ActionStatus,
        Channel,
        Comment,
        CommentStatus,
        Origin,
        Support,
        Theme,
    )
    from concerto.residents.models import Membership, Role, User

    rng = random.Random(2026)
    now = timezone.now()
    UNUSABLE = unusable_password()  # noqa: N806
    batch = 2000
    started = time.monotonic()
    with transaction.atomic():
        org = Organisation.objects.create(name="Collectif du banc d'essai", slug="collectif-banc")
        campaign = Campaign.objects.create(
            organisation=org, slug=CITY_SLUG, name="Aix-Nord, plan d'actions des habitants",
            territory="Quartiers nord d'Aix-en-Provence",
            description="Une consultation à l'échelle d'une ville : soutenez les actions ou proposez les vôtres.\n\n"
                        "Données générées pour les mesures de performance.")
        days = {
            PhaseKind.INVITATION: (-120, -100), PhaseKind.SELECTION: (-99, -80), PhaseKind.WORKSHOPS: (-79, -31),
            PhaseKind.PARTICIPATION: (-30, 365), PhaseKind.DOOR_TO_DOOR: (-20, 300),
            PhaseKind.LIVE_EVENT: (370, 371), PhaseKind.SYNTHESIS: (375, 390),
        }
        for kind, (a, b) in days.items():
            Phase.objects.create(campaign=campaign, kind=kind, starts_at=now + timedelta(days=a),
                                 ends_at=now + timedelta(days=b), summary="Phase générée pour le banc d'essai.")
        sectors = [Sector.objects.create(campaign=campaign, name=p.capitalize(), code=f"s{i:02d}")
                   for i, p in enumerate(PLACES)]
        themes = [Theme.objects.create(campaign=campaign, slug=s, name=n, position=i)
                  for i, (s, n) in enumerate(THEMES, start=1)]

        n_res = CITY["residents"]
        User.objects.bulk_create(
            (User(email=f"habitant{i:05d}@ville.example.org", password=UNUSABLE,
                  display_name=f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}.")
             for i in range(n_res)), batch_size=batch)
        user_ids = list(User.objects.filter(email__endswith="@ville.example.org").order_by("id")
                        .values_list("id", flat=True))
        Membership.objects.bulk_create((Membership(user_id=u, campaign=campaign, role=Role.RESIDENT)
                                        for u in user_ids), batch_size=batch)
        log(f"city: {n_res} residents in {time.monotonic() - started:.1f} s")

        # Actions: 9,000 published (300 from workshops), then pending, rejected and merged ones.
        n_act = CITY["actions"]
        n_pub, n_pending, n_rejected = 9_000, 400, 300
        bodies = []
        for _ in range(300):
            paras = [" ".join(rng.sample(SENTENCES, 2)) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.3:
                paras.append("\n".join(f"- {s}" for s in rng.sample(REASONS, 3)))
            body = "\n\n".join(paras)
            bodies.append((body, render_markdown(body)))
        origins = [Origin.ONLINE] * 75 + [Origin.DOOR_TO_DOOR] * 15 + [Origin.PAPER] * 10
        rows = []
        for i in range(n_act):
            verb, obj, place, why = rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(PLACES), rng.choice(REASONS)
            title = f"{verb} {obj} {place}"[:140]
            summary = f"{verb} {obj} {place}, {why}."[:300]
            body, body_html = rng.choice(bodies)
            theme = rng.choice(themes)
            if i < n_pub:
                status = ActionStatus.PUBLISHED
            elif i < n_pub + n_pending:
                status = ActionStatus.PENDING
            elif i < n_pub + n_pending + n_rejected:
                status = ActionStatus.REJECTED
            else:
                status = ActionStatus.MERGED
            origin = Origin.WORKSHOP if i < 300 else rng.choice(origins)
            rows.append(Action(
                campaign=campaign, title=title, summary=summary, body=body, body_html=body_html, theme=theme,
                place=place, sector=rng.choice(sectors), origin=origin, status=status,
                rejection_reason="Hors du champ de la consultation." if status == ActionStatus.REJECTED else "",
                author_id=None if origin == Origin.WORKSHOP else rng.choice(user_ids),
                published_at=(now - timedelta(minutes=rng.randrange(30 * 24 * 60))
                              if status in (ActionStatus.PUBLISHED, ActionStatus.MERGED) else None),
                search_text=search_key(title, summary, body, place, theme.name),
            ))
        Action.objects.bulk_create(rows[:n_pub], batch_size=batch)
        published_ids = list(Action.objects.filter(campaign=campaign).order_by("id").values_list("id", flat=True))
        for row in rows[n_pub:]:  # a merged action points to a published one (check constraint)
            if row.status == ActionStatus.MERGED:
                row.merged_into_id = rng.choice(published_ids)
        Action.objects.bulk_create(rows[n_pub:], batch_size=batch)
        log(f"city: {n_act} actions in {time.monotonic() - started:.1f} s")

        # Supports: long-tail popularity over published actions; writers (the last residents) get none,
        # so benchmark writes never collide with generated rows.
        writers = WRITERS["city"]
        supporters = user_ids[: n_res - writers]
        ranks = rng.sample(range(n_pub), n_pub)  # popularity rank of each published action
        per_action = _spread(CITY["supports"], _weights(ranks, 40), cap=len(supporters))
        channels = [Channel.ONLINE] * 85 + [Channel.DOOR_TO_DOOR] * 8 + [Channel.WORKSHOP] * 4 + [Channel.PAPER] * 3

        def support_rows():
            for action_id, n in zip(published_ids, per_action, strict=True):
                for u in rng.sample(supporters, n):
                    yield Support(action_id=action_id, user_id=u, channel=rng.choice(channels))

        Support.objects.bulk_create(support_rows(), batch_size=batch)
        log(f"city: {CITY['supports']} supports in {time.monotonic() - started:.1f} s")

        # Comments: the same popular actions, a flatter long tail; 1 % hidden by moderation (not counted in comment_count).
        per_action_c = _spread(CITY["comments"], _weights(ranks, 150), cap=10_000)
        visible = {}

        def comment_rows():
            for action_id, n in zip(published_ids, per_action_c, strict=True):
                for _ in range(n):
                    hidden = rng.random() < 0.01
                    if not hidden:
                        visible[action_id] = visible.get(action_id, 0) + 1
                    yield Comment(action_id=action_id, author_id=rng.choice(user_ids),
                                  body=" ".join(rng.sample(COMMENT_BITS, rng.randint(1, 3))),
                                  status=CommentStatus.HIDDEN if hidden else CommentStatus.VISIBLE,
                                  hidden_reason="Propos hors sujet." if hidden else "")

        Comment.objects.bulk_create(comment_rows(), batch_size=batch)
        log(f"city: {CITY['comments']} comments in {time.monotonic() - started:.1f} s")

        # Denormalised counters, exactly as the services keep them.
        objs = Action.objects.filter(pk__in=published_ids).only("id")
        by_id = dict(zip(published_ids, per_action, strict=True))
        updates = []
        for action in objs:
            action.support_count = by_id[action.pk]
            action.comment_count = visible.get(action.pk, 0)
            updates.append(action)
        Action.objects.bulk_update(updates, ["support_count", "comment_count"], batch_size=batch)
    log(f"city: counters in {time.monotonic() - started:.1f} s")
    return CITY_SLUG


# --- Plan --------------------------------------------------------------------------------------------


def make_plan(scale: str, database: str, marker: dict) -> dict:
    """Pages, tokens and (resident, action) pairs for the benchmarks; files under WORK_DIR."""
    from django.db.models import Count
    from django.utils import timezone

    from concerto.campaigns.models import Campaign
    from concerto.core.text import search_key
    from concerto.proposals.models import PUBLIC_STATUSES, Action, ActionStatus, Support, Theme
    from concerto.residents.models import ApiToken, Membership, Role

    rng = random.Random(7)
    campaign = Campaign.objects.get(slug=marker["slug"])
    published = list(Action.objects.filter(campaign=campaign, status=ActionStatus.PUBLISHED)
                     .order_by("-support_count", "id").values_list("id", "support_count", "comment_count"))
    top_id, top_supports, top_comments = published[0]
    theme_slug = FILTER_THEME[scale] or (
        Theme.objects.filter(campaign=campaign, actions__status__in=PUBLIC_STATUSES)
        .annotate(n=Count("actions")).order_by("-n", "position").values_list("slug", flat=True).first())
    public = Action.objects.filter(campaign=campaign, status__in=PUBLIC_STATUSES)
    theme_matches = public.filter(theme__slug=theme_slug).count()
    search_matches = public.filter(search_text__contains=search_key(SEARCH_WORD[scale])).count()

    # Writers: residents with a token. Seed: demo residents; city: the residents without generated supports.
    resident_ids = list(Membership.objects.filter(campaign=campaign, role=Role.RESIDENT)
                        .order_by("user_id").values_list("user_id", flat=True))
    writers = resident_ids[-WRITERS[scale]:]
    tokens = {u: writer_secret(u) for u in writers}
    ApiToken.objects.bulk_create(
        [ApiToken(user_id=u, name="bench", prefix=s[:10], token_hash=hashlib.sha256(s.encode()).hexdigest())
         for u, s in tokens.items()], ignore_conflicts=True)
    # last_used_at in the future: api_token_authenticate then skips its once-per-5-minutes UPDATE, which
    # a long-lived token pays once in a while but 2,000 fresh ones would all pay at once in a 10 s run.
    ApiToken.objects.filter(user_id__in=writers, name="bench").update(
        last_used_at=timezone.now() + timedelta(hours=2), revoked_at=None)
    existing = set(Support.objects.filter(user_id__in=writers).values_list("user_id", "action_id"))
    pub_ids = [a for a, _s, _c in published]
    pairs = []
    for u in writers:
        choices = [a for a in rng.sample(pub_ids, min(len(pub_ids), WRITER_ACTIONS * 3)) if (u, a) not in existing]
        pairs += [(tokens[u], a) for a in choices[:WRITER_ACTIONS]]
    rng.shuffle(pairs)
    pairs_file = WORK_DIR / f"pairs-{scale}-{database}.txt"
    pairs_file.write_text("".join(f"{t} {a}\n" for t, a in pairs))
    # Integrity run: 200 residents on a hot set of 30 actions (many residents on the same rows).
    hot = pub_ids[:30]
    integrity = [{"token": tokens[u], "actions": [a for a in hot if (u, a) not in existing]} for u in writers[:200]]
    # A signed-in resident (a writer) for the pages residents see with exact counts: a real session row,
    # sent by wrk as a cookie along with a CSRF cookie, as a browser would.
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from concerto.residents.models import User

    viewer = User.objects.get(pk=writers[0])
    session = SessionStore()
    session[SESSION_KEY] = str(viewer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = viewer.get_session_auth_hash()
    session.set_expiry(24 * 3600)
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={'b' * 32}"
    slug = campaign.slug
    plan = {
        "scale": scale, "database": database, "slug": slug, "marker": marker,
        "pages": {
            "home": f"/c/{slug}/",
            "list": f"/c/{slug}/actions/",
            "filtered": f"/c/{slug}/actions/?theme={theme_slug}&sort=newest",
            "search": f"/c/{slug}/actions/?q={quote(SEARCH_WORD[scale])}",
            "action": f"/c/{slug}/actions/{top_id}/",
        },
        # Signed-in residents always get a fresh page (exact counts): the public page cache skips them.
        "signed_in_pages": {
            "list_signed_in": f"/c/{slug}/actions/",
            "action_signed_in": f"/c/{slug}/actions/{top_id}/",
        },
        "cookie": cookie,
        "facts": {"action_id": top_id, "action_supports": top_supports, "action_comments": top_comments,
                  "theme": theme_slug, "theme_matches": theme_matches, "search_word": SEARCH_WORD[scale],
                  "search_matches": search_matches, "public_actions": public.count(),
                  "writers": len(writers), "write_pairs": len(pairs)},
        "pairs_file": str(pairs_file),
        "integrity": integrity,
        "sample_token": tokens[writers[0]],
        "sample_action": pairs[0][1],
        "sample_pair_token": pairs[0][0],
    }
    plan_path(scale, database).write_text(json.dumps(plan, indent=1))
    return plan


def integrity_residents(scale: str, database: str, n: int) -> int:
    """Make sure the plan has n residents for the integrity run; the demo has only 130 residents,
    so at seed scale extra ones are created just for it (``restore`` deletes them afterwards)."""
    from django.db import transaction

    from concerto.campaigns.models import Campaign
    from concerto.proposals.models import ActionStatus, Support
    from concerto.residents.models import ApiToken, Membership, Role, User

    path = plan_path(scale, database)
    plan = json.loads(path.read_text())
    UNUSABLE = unusable_password()  # noqa: N806
    hashes = {hashlib.sha256(r["token"].encode()).hexdigest(): r for r in plan["integrity"] if r["actions"]}
    alive = set(ApiToken.objects.filter(token_hash__in=list(hashes)).values_list("token_hash", flat=True))
    people = [r for h, r in hashes.items() if h in alive]  # extra residents of an earlier run were deleted
    missing = n - len(people)
    if missing > 0:
        campaign = Campaign.objects.get(slug=plan["slug"])
        hot = list(campaign.actions.filter(status=ActionStatus.PUBLISHED).order_by("-support_count", "id")
                   .values_list("id", flat=True)[:30])
        with transaction.atomic():
            users = User.objects.bulk_create(
                [User(email=f"banc-integrite-{i:03d}@bench.example.net", password=UNUSABLE)
                 for i in range(missing)])
            users = list(User.objects.filter(email__endswith="@bench.example.net").order_by("id"))
            Membership.objects.bulk_create([Membership(user=u, campaign=campaign, role=Role.RESIDENT) for u in users],
                                           ignore_conflicts=True)
            ApiToken.objects.bulk_create(
                [ApiToken(user=u, name="bench", prefix=writer_secret(u.pk)[:10],
                          token_hash=hashlib.sha256(writer_secret(u.pk).encode()).hexdigest()) for u in users],
                ignore_conflicts=True)
        existing = set(Support.objects.filter(user__in=users).values_list("user_id", "action_id"))
        people += [{"token": writer_secret(u.pk), "actions": [a for a in hot if (u.pk, a) not in existing]}
                   for u in users]
        plan["integrity"] = people
        path.write_text(json.dumps(plan, indent=1))
    return len(people)


# --- Entry point ---------------------------------------------------------------------------------


def setup_django(scale: str, database: str) -> None:
    from bench.common import database_url

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    os.environ["DATABASE_URL"] = database_url(scale, database)
    import django

    django.setup()


def ensure(scale: str, database: str, force: bool) -> dict:
    """Build the data or reuse it; return the marker."""
    create_database(scale, database)
    setup_django(scale, database)
    from django.core.management import call_command
    from django.db import connection

    from concerto.campaigns.models import Campaign

    fingerprint = migrations_fingerprint()
    if scale == "city" and not force:
        call_command("migrate", verbosity=0)
        marker = read_marker()
        if marker and marker.get("version") == GENERATOR_VERSION and marker.get("migrations") == fingerprint:
            campaign = Campaign.objects.filter(slug=marker["slug"]).first()
            if campaign is not None:
                before = restore(marker)
                vacuum()
                if counts(campaign) == marker["counts"]:
                    log(f"city/{database}: reusing the database (marker {marker['created']}); "
                        f"left over from an earlier run: {before}")
                    marker["reused"] = True
                    return marker
        log(f"city/{database}: no usable marker, rebuilding")
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()  # PostgreSQL pool: DROP DATABASE … WITH (FORCE) would cut its connections
    drop_database(scale, database)
    create_database(scale, database)
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    slug = build_seed() if scale == "seed" else build_city()
    campaign = Campaign.objects.get(slug=slug)
    marker = {"version": GENERATOR_VERSION, "migrations": fingerprint, "scale": scale, "slug": slug,
              "created": time.strftime("%Y-%m-%d %H:%M:%S"), "counts": counts(campaign),
              "watermarks": watermarks(), "seconds": round(time.monotonic() - started, 1)}
    if scale == "city":
        assert marker["counts"] == CITY, marker["counts"]  # noqa: S101 - a broken generator must stop the run
    assert counter_mismatches(campaign) == {"support_count": 0, "comment_count": 0}  # noqa: S101
    vacuum()
    write_marker(marker)
    marker["reused"] = False
    log(f"{scale}/{database}: generated in {marker['seconds']} s: {marker['counts']}")
    return marker


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["seed", "city"], required=True)
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--force", action="store_true", help="rebuild even if a matching database exists")
    parser.add_argument("--integrity-residents", type=int, metavar="N",
                        help="make sure the plan has N residents for bench/integrity.py (creates them if needed)")
    parser.add_argument("--restore", action="store_true",
                        help="check counters, then remove rows written by benchmarks since generation")
    args = parser.parse_args()
    if args.restore:
        setup_django(args.scale, args.database)
        marker = read_marker()
        print(json.dumps(restore(marker)))
        return 0
    if args.integrity_residents:
        setup_django(args.scale, args.database)
        print(json.dumps({"residents": integrity_residents(args.scale, args.database, args.integrity_residents)}))
        return 0
    marker = ensure(args.scale, args.database, args.force)
    plan = make_plan(args.scale, args.database, marker)
    print(json.dumps({"plan": str(plan_path(args.scale, args.database)), "reused": marker["reused"],
                      "counts": marker["counts"], "facts": plan["facts"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
