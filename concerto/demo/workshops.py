"""Demo: the two workshops of Saint-Jérôme, held and closed, and a follow-up workshop still to run.

The 12 residents drawn by the selection met twice with the facilitator (Julien, animateur@): they
told what works and what is missing, put about 80 ideas on the wall, grouped them into themes,
voted with dots and wrote the action sheets that became the campaign's 20 workshop actions (already
loaded by ``services._workshop_actions``: each is linked here to exactly one published sheet).

What has a service in ``concerto.workshops.services`` goes through it (``workshop_create``,
``idea_add``, ``workshop_phase_set``, ``workshop_timer_set``, ``attendee_token_issue``), so the
checks, the version and the audit entries are those of real use. Attendees, themes, merges, dots and
sheets are written here with the models, keeping the wall's invariants: the workshop's row is
locked, every wall write bumps ``Workshop.version`` and writes its audit entry, one Dot row per
attendee and item, no attendee over ``dots_per_participant`` nor over ``max_dots_per_item``.

The workshops happened weeks before the load: every timestamp (audit entries included) is moved
afterwards to a plausible moment inside the workshop's hours, in the order things were done.
Everything depends only on a seeded ``random.Random``: the same data at every load.
"""

import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from concerto.campaigns.models import Phase as CampaignPhase
from concerto.core.models import AuditEntry
from concerto.proposals.models import Action
from concerto.residents.models import User
from concerto.selection.models import SeatStatus, Selection
from concerto.workshops import services as ws
from concerto.workshops.models import (
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    ActionSheet,
    Actor,
    Attendance,
    Attendee,
    AttendeeSource,
    CostRange,
    Dot,
    Horizon,
    Idea,
    InvitationChannel,
    Phase,
    Rsvp,
    SheetStatus,
    WallTheme,
    Workshop,
)
from concerto.workshops.tasks import render_minutes

from . import content as c

PLACE = "Salle polyvalente de l'école élémentaire Saint-Jérôme"
ADDRESS = "Avenue Saint-Jérôme, 13090 Aix-en-Provence"
ACCESS = ("Entrée par le portail de la cour, côté avenue. Salle de plain-pied, accessible en fauteuil ; "
          "toilettes adaptées. Arrêt de bus Saint-Jérôme à 3 minutes à pied. Café et garde d'enfants "
          "sur place.")
START = (18, 30)  # both held on a weekday evening, 18 h 30 – 21 h
DOTS = 5
FIRST_MAX_PER_ITEM = 3

AGENDA_1 = [
    ("Accueil et café", 15),
    ("Tour de table : mon quartier en une phrase", 20),
    ("Idées : ce qui va bien, ce qui manque, ce que je propose", 30),
    ("Regroupement des idées en thèmes", 25),
    ("Gommettes : nos priorités", 15),
    ("Fiches actions", 35),
    ("Clôture et prochaine étape", 10),
]
AGENDA_2 = [
    ("Accueil et retour sur le premier atelier", 15),
    ("Tour de table : ce qui a changé depuis", 15),
    ("Idées : ce qui va bien, ce qui manque, ce que je propose", 30),
    ("Regroupement des idées en thèmes", 25),
    ("Gommettes : nos priorités", 15),
    ("Fiches actions", 40),
    ("Clôture : les 20 actions mises en ligne", 10),
]
AGENDA_3 = [
    ("Accueil et café", 15),
    ("Retour sur les soutiens et les contributions en ligne", 20),
    ("Idées : ce que les candidats doivent entendre", 25),
    ("Regroupement des idées en thèmes", 20),
    ("Gommettes : les messages prioritaires", 15),
    ("Fiches : préparer la présentation du plateau", 40),
    ("Clôture", 15),
]
TITLES = (
    "Atelier 1 : la vie quotidienne à Saint-Jérôme",
    "Atelier 2 : des idées aux actions",
    "Atelier de suivi : préparer le plateau avec les candidats",
)

G, M, P = "good", "missing", "propose"
# Public holidays in France and the evenings before Christmas and New Year: nobody holds a workshop then.
NO_MEETING_DAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 24), (12, 25), (12, 31)}


@dataclass(frozen=True)
class DemoIdea:
    prompt: str
    text: str
    place: str = ""  # key of content.PLACES, or ""
    theme: str | None = None  # key of the workshop's THEMES; None: left outside any theme
    action: str | None = None  # key of the WORKSHOP_ACTIONS whose sheet links it
    duplicate_of: int | None = None  # index (in the same list) of the idea it is merged into
    proxy: bool = False  # typed by the facilitator for an attendee without a phone
    walk_in: bool = False  # posted by the walk-in's phone (second workshop)


# Themes of each workshop: (key, name, from a suggestion). The last one of each gets no dot.
THEMES_1 = [
    ("ecole", "Sécurité aux abords de l'école", False),
    ("transports", "Bus et vélo", True),
    ("circulation", "Circulation et stationnement", False),
    ("proprete", "Propreté", True),
    ("verts", "Espaces verts et ombre", False),
    ("eclairage", "Éclairage et sentiment de sécurité", False),
    ("commerces", "Commerces de proximité", False),
    ("reseau", "Internet et réseau mobile", False),
]
THEMES_2 = [
    ("jeunesse", "Jeunesse", True),
    ("entraide", "Entraide et lien entre voisins", False),
    ("lieu", "Un lieu pour se retrouver", False),
    ("nature", "Nature et promenade", True),
    ("marche", "Vie commerçante", False),
    ("soirees", "Tranquillité les soirs d'été", False),
    ("memoire", "Mémoire du quartier", False),
]
ZERO_DOT_THEMES = ("reseau", "memoire")

IDEAS_1 = [
    DemoIdea(G, "Les enfants vont à l'école à pied : c'est encore un vrai quartier de familles.", "ecole", "ecole"),
    DemoIdea(M, "Les voitures descendent l'avenue beaucoup trop vite devant l'école, surtout le matin.", "ecole",
             "ecole", "traversee-ecole"),
    DemoIdea(M, "Le passage piéton devant l'école est effacé et mal éclairé l'hiver, quand il fait encore nuit.",
             "ecole", "ecole", "traversee-ecole"),
    DemoIdea(P, "Un plateau surélevé devant l'école pour casser la vitesse.", "ecole", "ecole", "traversee-ecole"),
    DemoIdea(P, "Un agent de traversée aux heures d'entrée et de sortie des classes.", "ecole", "ecole",
             "traversee-ecole"),
    DemoIdea(M, "Des parents se garent sur le passage piéton à 8 h 30, les enfants passent entre les voitures.",
             "ecole", "ecole", "traversee-ecole", proxy=True),
    DemoIdea(G, "Le bus passe près de chez moi : en semaine je vais au centre-ville sans voiture.", "arret",
             "transports"),
    DemoIdea(M, "Le samedi, le bus ne passe qu'une fois toutes les 40 minutes.", "arret", "transports",
             "bus-soir-samedi"),
    DemoIdea(M, "Plus de bus après 20 h 30 pour rentrer du centre-ville : le quartier est coupé le soir.", "arret",
             "transports", "bus-soir-samedi"),
    DemoIdea(P, "Un dernier bus vers 22 h depuis le centre-ville, et un bus tous les quarts d'heure le samedi.",
             "arret", "transports", "bus-soir-samedi"),
    DemoIdea(M, "À vélo, l'avenue Saint-Jérôme fait peur : la bande cyclable s'arrête net devant la station-service.",
             "avenue", "transports", "piste-cyclable-centre"),
    DemoIdea(P, "Une vraie piste cyclable séparée jusqu'au centre-ville, pour que les lycéens y aillent seuls.",
             "avenue", "transports", "piste-cyclable-centre"),
    DemoIdea(P, "Des arceaux pour attacher les vélos devant l'école et les commerces.", "", "transports",
             "piste-cyclable-centre"),
    DemoIdea(M, "La rue des Lavandes sert de raccourci : les voitures y roulent vite et il n'y a pas de trottoir.",
             "lavandes", "circulation", "zone-rencontre-lavandes"),
    DemoIdea(P, "Limiter la rue des Lavandes à 20 km/h, avec des bacs de fleurs pour faire ralentir.", "lavandes",
             "circulation", "zone-rencontre-lavandes"),
    DemoIdea(P, "Une zone 20 rue des Lavandes : on y marche sur la chaussée.", "lavandes", "circulation",
             duplicate_of=14),
    DemoIdea(M, "Impossible de se garer cinq minutes pour passer à la pharmacie.", "pharmacie", "circulation",
             "stationnement-commerces"),
    DemoIdea(P, "Quelques places de stationnement minute devant les commerces de la place.", "amandiers",
             "circulation", "stationnement-commerces"),
    DemoIdea(M, "Des voitures ventouses restent des semaines sur la place des Amandiers.", "amandiers",
             "circulation", "stationnement-commerces"),
    DemoIdea(G, "Les agents de propreté passent tôt : l'avenue est propre le matin.", "avenue", "proprete"),
    DemoIdea(M, "Les bacs débordent à l'entrée du lotissement Les Oliviers, surtout le lundi.", "oliviers",
             "proprete", "conteneurs-enterres"),
    DemoIdea(M, "Les goélands et les chats éventrent les sacs posés à côté des bacs.", "oliviers", "proprete",
             "conteneurs-enterres"),
    DemoIdea(P, "Des conteneurs enterrés aux Oliviers, pour les ordures, le tri et le verre.", "oliviers",
             "proprete", "conteneurs-enterres"),
    DemoIdea(M, "Des matelas et des frigos abandonnés sur les trottoirs pendant des semaines.", "quartier",
             "proprete", "encombrants-rdv"),
    DemoIdea(P, "Une collecte des encombrants sur rendez-vous, un passage par mois dans le quartier.", "",
             "proprete", "encombrants-rdv"),
    DemoIdea(P, "Faire connaître le numéro des encombrants : personne ne le connaît.", "", "proprete",
             "encombrants-rdv", proxy=True),
    DemoIdea(G, "Le square des Cigales est plein d'enfants après l'école, c'est vivant.", "square", "verts"),
    DemoIdea(M, "Seulement deux bancs au square des Cigales, et en plein soleil.", "square", "verts",
             "square-cigales"),
    DemoIdea(M, "Pas de point d'eau au square : il faut rentrer pour faire boire les enfants.", "square", "verts",
             "square-cigales"),
    DemoIdea(P, "Des bancs avec dossier à l'ombre des pins et une fontaine au square des Cigales.", "square",
             "verts", "square-cigales"),
    DemoIdea(M, "La place des Amandiers est une dalle brûlante en été : personne ne s'y arrête.", "amandiers",
             "verts", "arbres-amandiers"),
    DemoIdea(P, "Replanter des arbres d'ombrage sur la place des Amandiers, et quelques amandiers.", "amandiers",
             "verts", "arbres-amandiers"),
    DemoIdea(P, "Des arbres sur la place des Amandiers !", "amandiers", "verts", duplicate_of=31),
    DemoIdea(M, "Le chemin entre les Platanes et l'arrêt de bus est noir dès 18 h l'hiver.", "platanes",
             "eclairage", "eclairage-platanes"),
    DemoIdea(M, "Le soir je fais le détour par l'avenue : je n'ose pas prendre le raccourci.", "platanes",
             "eclairage", "eclairage-platanes"),
    DemoIdea(P, "Des lampadaires à détection de présence sur le chemin des Platanes.", "platanes", "eclairage",
             "eclairage-platanes"),
    DemoIdea(P, "Tailler les haies qui bordent le chemin : on n'y voit rien.", "platanes", "eclairage",
             "eclairage-platanes"),
    DemoIdea(G, "La boulangerie et la pharmacie de la place : on s'y dit bonjour.", "amandiers", "commerces"),
    DemoIdea(M, "Depuis la fermeture de la supérette, il faut prendre le bus pour faire ses courses.", "avenue",
             "commerces", "local-vacant"),
    DemoIdea(M, "Le local de l'ancienne supérette se dégrade, les vitrines sont taguées.", "avenue", "commerces",
             "local-vacant"),
    DemoIdea(P, "Rouvrir une épicerie dans le local vide de l'avenue, pourquoi pas en coopérative.", "avenue",
             "commerces", "local-vacant"),
    DemoIdea(M, "La 4G passe mal dans le bas de la traverse du Vallon.", "vallon", "reseau"),
    DemoIdea(M, "La fibre n'est toujours pas arrivée dans certains immeubles des Platanes.", "platanes", "reseau"),
    DemoIdea(G, "Les voisins se connaissent encore, on se rend service."),
    DemoIdea(P, "Un panneau d'affichage pour savoir ce qui se passe dans le quartier."),
]

IDEAS_2 = [
    DemoIdea(G, "Le city-stade est toujours plein : les jeunes adorent y jouer.", "citystade", "jeunesse"),
    DemoIdea(M, "Le sol du city-stade est abîmé et les filets sont déchirés.", "citystade", "jeunesse",
             "city-stade"),
    DemoIdea(M, "Il n'y a plus aucun panier de basket au city-stade.", "citystade", "jeunesse", "city-stade"),
    DemoIdea(P, "Rénover le city-stade, avec des horaires affichés de 9 h à 21 h.", "citystade", "jeunesse",
             "city-stade"),
    DemoIdea(P, "Un créneau réservé aux filles certains soirs au city-stade.", "citystade", "jeunesse",
             "city-stade"),
    DemoIdea(M, "Les 11-17 ans n'ont aucun lieu à eux : ils restent au pied des immeubles.", "platanes",
             "jeunesse", "accueil-ados"),
    DemoIdea(P, "Ouvrir la salle des Platanes aux ados le mercredi et pendant les vacances.", "platanes",
             "jeunesse", "accueil-ados"),
    DemoIdea(P, "De l'aide pour réviser le brevet, avec des étudiants du quartier.", "", "jeunesse",
             "accueil-ados", proxy=True),
    DemoIdea(M, "Beaucoup de personnes âgées vivent seules et ne voient personne pendant la canicule.",
             "quartier", "entraide", "voisins-solidaires"),
    DemoIdea(P, "Un réseau de voisins qui appellent les aînés isolés pendant les canicules.", "quartier",
             "entraide", "voisins-solidaires"),
    DemoIdea(P, "Aider les anciens pour les démarches en ligne.", "", "entraide", "voisins-solidaires",
             proxy=True),
    DemoIdea(G, "La fête des voisins de juin marche bien dans certains immeubles.", "", "entraide",
             "fete-quartier"),
    DemoIdea(M, "Organiser une fête, c'est compliqué : tables, barnums, sono, autorisations…", "", "entraide",
             "fete-quartier"),
    DemoIdea(P, "Une grande fête de quartier chaque année au square des Cigales.", "square", "entraide",
             "fete-quartier"),
    DemoIdea(P, "Une fête du quartier tous les ans !", "", "entraide", duplicate_of=13),
    DemoIdea(M, "Pas de salle pour les associations : notre chorale répète dans un salon.", "", "lieu",
             "maison-quartier"),
    DemoIdea(M, "Pour la moindre démarche il faut aller au centre-ville.", "", "lieu", "maison-quartier"),
    DemoIdea(P, "Une maison de quartier avec une salle prêtée gratuitement aux associations.", "amandiers",
             "lieu", "maison-quartier"),
    DemoIdea(P, "Une permanence de la mairie une fois par semaine dans le quartier.", "", "lieu",
             "maison-quartier"),
    DemoIdea(G, "La promenade du Vallon, c'est notre poumon vert.", "promenade", "nature"),
    DemoIdea(M, "Pas une poubelle le long de la promenade du Vallon, et des crottes de chien partout.",
             "promenade", "nature", "proprete-promenade"),
    DemoIdea(P, "Des distributeurs de sacs pour chiens le long de la promenade.", "promenade", "nature",
             "proprete-promenade"),
    DemoIdea(M, "La friche du chemin des Micocouliers est abandonnée depuis des années.", "micocouliers",
             "nature", "jardin-partage"),
    DemoIdea(P, "Un jardin partagé sur la friche des Micocouliers, avec un composteur.", "micocouliers",
             "nature", "jardin-partage"),
    DemoIdea(P, "Un coin du jardin pour l'école et le centre social.", "micocouliers", "nature",
             "jardin-partage"),
    DemoIdea(P, "Récupérer l'eau de pluie pour arroser le jardin l'été.", "", "nature", "jardin-partage"),
    DemoIdea(M, "Le marché le plus proche est au centre-ville : difficile d'y aller sans voiture.", "", "marche",
             "marche-producteurs"),
    DemoIdea(P, "Un petit marché de producteurs le mercredi après-midi place des Amandiers.", "amandiers",
             "marche", "marche-producteurs"),
    DemoIdea(P, "Associer l'épicerie de la place au marché plutôt que de la concurrencer.", "amandiers",
             "marche", "marche-producteurs"),
    DemoIdea(M, "L'été, les rassemblements tard le soir empêchent les riverains de dormir.", "quartier",
             "soirees", "mediation-ete"),
    DemoIdea(M, "Des rodéos de scooters le samedi soir traverse du Vallon.", "vallon", "soirees",
             "mediation-ete"),
    DemoIdea(P, "Des médiateurs le vendredi et le samedi soir en été, plutôt que la seule police.", "quartier",
             "soirees", "mediation-ete"),
    DemoIdea(P, "Recruter des médiateurs qui habitent le quartier.", "", "soirees", "mediation-ete"),
    DemoIdea(P, "Recueillir les souvenirs des anciens sur l'histoire du quartier.", "", "memoire", walk_in=True),
    DemoIdea(P, "Des panneaux qui racontent les anciennes bastides de Saint-Jérôme.", "", "memoire"),
    DemoIdea(G, "Depuis le premier atelier, on se parle davantage entre voisins.", walk_in=True),
]

# Which workshop wrote each action's sheet (by its ideas): the first 11, the second 9.
SHEETS_1 = ["traversee-ecole", "bus-soir-samedi", "piste-cyclable-centre", "zone-rencontre-lavandes",
            "stationnement-commerces", "conteneurs-enterres", "encombrants-rdv", "square-cigales",
            "arbres-amandiers", "eclairage-platanes", "local-vacant"]
SHEETS_2 = ["city-stade", "accueil-ados", "voisins-solidaires", "fete-quartier", "maison-quartier",
            "proprete-promenade", "jardin-partage", "marche-producteurs", "mediation-ete"]

# Who could act, the rough cost and the horizon, as the room estimated them.
SHEET_FACTS = {
    "traversee-ecole": ([Actor.CITY, Actor.METROPOLIS], CostRange.SMALL, Horizon.SOON),
    "zone-rencontre-lavandes": ([Actor.CITY, Actor.METROPOLIS, Actor.RESIDENTS], CostRange.SMALL, Horizon.SOON),
    "piste-cyclable-centre": ([Actor.METROPOLIS, Actor.CITY], CostRange.LARGE, Horizon.MANDATE),
    "bus-soir-samedi": ([Actor.METROPOLIS], CostRange.MEDIUM, Horizon.SOON),
    "stationnement-commerces": ([Actor.CITY], CostRange.NONE, Horizon.SOON),
    "conteneurs-enterres": ([Actor.METROPOLIS], CostRange.MEDIUM, Horizon.MANDATE),
    "encombrants-rdv": ([Actor.METROPOLIS, Actor.CITY], CostRange.SMALL, Horizon.SOON),
    "proprete-promenade": ([Actor.CITY, Actor.METROPOLIS], CostRange.SMALL, Horizon.SOON),
    "jardin-partage": ([Actor.CITY, Actor.ASSOCIATION, Actor.RESIDENTS], CostRange.MEDIUM, Horizon.SOON),
    "arbres-amandiers": ([Actor.CITY], CostRange.MEDIUM, Horizon.MANDATE),
    "square-cigales": ([Actor.CITY], CostRange.SMALL, Horizon.SOON),
    "marche-producteurs": ([Actor.CITY, Actor.ASSOCIATION], CostRange.SMALL, Horizon.SOON),
    "local-vacant": ([Actor.CITY, Actor.OTHER], CostRange.MEDIUM, Horizon.MANDATE),
    "eclairage-platanes": ([Actor.CITY], CostRange.SMALL, Horizon.SOON),
    "mediation-ete": ([Actor.CITY, Actor.ASSOCIATION], CostRange.MEDIUM, Horizon.SOON),
    "city-stade": ([Actor.CITY, Actor.RESIDENTS], CostRange.MEDIUM, Horizon.SOON),
    "accueil-ados": ([Actor.CITY, Actor.ASSOCIATION], CostRange.MEDIUM, Horizon.SOON),
    "maison-quartier": ([Actor.CITY, Actor.ASSOCIATION], CostRange.LARGE, Horizon.MANDATE),
    "fete-quartier": ([Actor.CITY, Actor.RESIDENTS, Actor.ASSOCIATION], CostRange.SMALL, Horizon.SOON),
    "voisins-solidaires": ([Actor.CITY, Actor.ASSOCIATION, Actor.RESIDENTS], CostRange.NONE, Horizon.SOON),
}

WALK_IN_NAME = "Gisèle R."
# Panel members (by their order among the 12, sorted by account) who keep their names out of the
# minutes, who answer by letter rather than e-mail, who have no phone (the facilitator types for them).
NO_CONSENT = (3, 9)
BY_LETTER = (5, 10)
NO_PHONE = 7
# First workshop: one said no and was excused. Second: one said no (excused), one said yes and did not come.
EXCUSED_1 = (4,)
EXCUSED_2, ABSENT_2 = (11,), (2,)


@dataclass
class _Wall:
    """One workshop being played: its row, its moments, and its audit entries to date afterwards."""

    workshop: Workshop
    start: datetime
    audit_from: int
    moments: list[datetime] = field(default_factory=list)

    def at(self, minutes: float) -> datetime:
        return self.start + timedelta(minutes=minutes)


def load_workshops(*, campaign, selection: Selection, organiser: User, facilitator: User,
                   actions: dict[str, Action], rng: random.Random) -> list[Workshop]:
    """The two closed workshops and the planned follow-up; returns them in order."""
    phases = {p.kind: p for p in CampaignPhase.objects.filter(campaign=campaign)}
    window = phases["workshops"]
    first_day = timezone.localtime(window.starts_at).date()
    last_day = timezone.localtime(window.ends_at - timedelta(minutes=1)).date()  # a phase ending at midnight
    seats = list(selection.seats.filter(status=SeatStatus.SELECTED).select_related("volunteer__user")
                 .order_by("volunteer__user_id"))
    invited_at = selection.drawn_at + timedelta(days=1, hours=-10) if selection.drawn_at else None

    loader = _Loader(campaign=campaign, selection=selection, organiser=organiser, facilitator=facilitator,
                     actions=actions, rng=rng, seats=seats)
    first = loader.held(
        title=TITLES[0], day=first_day, agenda=AGENDA_1, ideas=IDEAS_1, themes=THEMES_1,
        sheets=SHEETS_1, max_per_item=FIRST_MAX_PER_ITEM, invited_at=invited_at, excused=EXCUSED_1, absent=(),
        walk_in=False)
    second = loader.held(
        title=TITLES[1], day=last_day, agenda=AGENDA_2, ideas=IDEAS_2, themes=THEMES_2,
        sheets=SHEETS_2, max_per_item=None, invited_at=invited_at, excused=EXCUSED_2, absent=ABSENT_2,
        walk_in=True)
    third = loader.planned(title=TITLES[2], day=_follow_up_day(phases.get("live_event")), agenda=AGENDA_3)
    # The minutes' PDFs of the two held workshops, at their final version (the task queued when each
    # wall closed saw an earlier one: the loader dates and stamps rows after closing). The demo's
    # worker renders them within seconds of `make demo` starting; the test servers run tasks inline.
    for held in (first, second):
        version = Workshop.objects.filter(pk=held.pk).values_list("version", flat=True).get()
        transaction.on_commit(partial(render_minutes.enqueue, workshop_id=held.pk, version=version))
    return [first, second, third]


def _follow_up_day(event):
    """About a week before the live event with the candidates (in the participation phase, after the
    demo's today), on a working day outside public holidays and the Christmas break."""
    today = timezone.localdate()
    if event is None:
        return today + timedelta(days=14)
    event_day = timezone.localtime(event.starts_at).date()
    for back in (7, 6, 8, 5, 9, 4, 10, 11, 12, 13, 14, 3, 2):
        day = event_day - timedelta(days=back)
        christmas = (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 3)
        if day > today and day.weekday() < 5 and not christmas and (day.month, day.day) not in NO_MEETING_DAYS:
            return day
    return event_day - timedelta(days=7)


def _local(day, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _plain(markdown: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"\1", markdown).strip()


class _Loader:
    def __init__(self, *, campaign, selection, organiser, facilitator, actions, rng, seats):
        self.campaign = campaign
        self.selection = selection
        self.organiser = organiser
        self.facilitator = facilitator
        self.actions = actions
        self.rng = rng
        self.seats = seats
        self.pending: list[AuditEntry] = []

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _uuid() -> uuid.UUID:
        # Not from the seed: client ids are unique in the whole database, and a demo campaign renamed
        # in the admin keeps its ideas while the demo is loaded again.
        return uuid.uuid4()

    def _room_code(self) -> str:
        """Drawn from the loader's seed (the same codes at every load), unless taken."""
        for _attempt in range(20):
            code = "".join(self.rng.choice(ROOM_CODE_ALPHABET) for _ in range(ROOM_CODE_LENGTH))
            if not Workshop.objects.filter(room_code=code).exists():
                return code
        return ws.new_room_code()

    def _create(self, *, title, day, agenda) -> Workshop:
        start = _local(day, *START)
        minutes = sum(m for _t, m in agenda)
        workshop = ws.workshop_create(
            by=self.organiser, campaign=self.campaign, title=title, starts_at=start,
            ends_at=start + timedelta(minutes=minutes), place=PLACE, address=ADDRESS, access_notes=ACCESS,
            selection=self.selection, agenda=agenda, facilitators=[self.facilitator])
        workshop.room_code = self._room_code()
        Workshop.objects.filter(pk=workshop.pk).update(room_code=workshop.room_code)
        return workshop

    def _write(self, wall: _Wall, code: str, when: datetime, *, actor, target=None, bump: bool = True,
               **data) -> None:
        """A wall write done with the models: bump the version and audit it, as ``services._changed``
        does (``bump=False``: an entry written with ``log_action`` beside another that bumps). The
        entries wait in ``pending`` and are inserted together before the next service call (their
        order, hence the order of ids, is kept)."""
        if bump:
            wall.workshop.version += 1
        target = target or wall.workshop
        self.pending.append(AuditEntry(code=code, actor=actor, scope=self.campaign.slug,
                                       target=f"{target._meta.label_lower}:{target.pk}",
                                       data={"workshop": wall.workshop.pk, **data}))
        wall.moments.append(when)

    def _flush(self) -> None:
        AuditEntry.objects.bulk_create(self.pending)
        self.pending = []

    def _call(self, wall: _Wall, when: datetime, service, **kwargs):
        """A service call that bumps the version once and writes one audit entry, done at ``when``."""
        self._flush()
        result = service(**kwargs)
        wall.workshop.version += 1
        wall.moments.append(when)
        return result

    def _attendees(self, workshop, *, invited_at, rsvp_at=None, reminded_at=None, excused=(), absent=(),
                   present_at=None) -> list[Attendee]:
        """The 12 of the panel, invited; with answers and attendance if the workshop was held."""
        rows = []
        for i, seat in enumerate(self.seats):
            user = seat.volunteer.user
            held = present_at is not None
            rsvp = (Rsvp.NO if i in excused else Rsvp.YES) if held else Rsvp.PENDING
            attendance = Attendance.UNKNOWN
            if held:
                attendance = (Attendance.EXCUSED if i in excused else
                              Attendance.ABSENT if i in absent else Attendance.PRESENT)
            rows.append(Attendee(
                workshop=workshop, user=user, name=user.display_name, email=user.email, seat=seat,
                source=AttendeeSource.PANEL, rsvp=rsvp,
                rsvp_at=rsvp_at + timedelta(hours=4 * i) if held and rsvp_at else None,
                attendance=attendance,
                invitation_channel=InvitationChannel.LETTER if i in BY_LETTER else InvitationChannel.EMAIL,
                invited_at=invited_at, reminded_at=reminded_at if held and i not in excused else None,
                name_consent=held and i not in NO_CONSENT,
                joined_at=(present_at + timedelta(minutes=i // 3))
                if attendance == Attendance.PRESENT and i != NO_PHONE else None,
            ))
        return Attendee.objects.bulk_create(rows)

    def _invitations(self, wall: _Wall, attendees: list[Attendee], invited_at: datetime) -> None:
        """The panel listed, invited by e-mail or letter, their answers, and the reminder."""
        f, o = self.facilitator, self.organiser
        self._write(wall, "workshops.attendee.listed", invited_at - timedelta(hours=1), actor=o,
                    added=len(attendees), reserves=0)
        for channel in (InvitationChannel.EMAIL, InvitationChannel.LETTER):
            sent = [a for a in attendees if a.invitation_channel == channel]
            self._write(wall, "workshops.invitation.sent", invited_at, actor=o, channel=str(channel), count=len(sent))
        for attendee in sorted((a for a in attendees if a.rsvp_at), key=lambda a: (a.rsvp_at, a.pk)):
            by_letter = attendee.invitation_channel == InvitationChannel.LETTER
            # Invited by letter, they answered by phone: the facilitator recorded it.
            self._write(wall, "workshops.attendee.answered", attendee.rsvp_at, actor=f if by_letter else attendee.user,
                        target=attendee, rsvp=str(attendee.rsvp), name_consent=attendee.name_consent)
        reminded = [a for a in attendees if a.reminded_at]
        if reminded:
            self._write(wall, "workshops.invitation.reminded", reminded[0].reminded_at, actor=o, channel="email",
                        count=len(reminded))

    # -- a held workshop ---------------------------------------------------------------------------

    def held(self, *, title, day, agenda, ideas, themes, sheets, max_per_item, invited_at, excused, absent,
             walk_in) -> Workshop:
        start = _local(day, *START)
        mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        workshop = self._create(title=title, day=day, agenda=agenda)
        created_at = (invited_at - timedelta(hours=2)) if invited_at else start - timedelta(days=10)
        wall = _Wall(workshop=workshop, start=start, audit_from=mark, moments=[created_at])
        Workshop.objects.filter(pk=workshop.pk).update(dots_per_participant=DOTS, max_dots_per_item=max_per_item)
        workshop.dots_per_participant, workshop.max_dots_per_item = DOTS, max_per_item

        invited = invited_at or start - timedelta(days=10)
        attendees = self._attendees(
            workshop, invited_at=invited, rsvp_at=invited + timedelta(hours=2), reminded_at=start - timedelta(days=1),
            excused=excused, absent=absent, present_at=start + timedelta(minutes=2))
        present = [a for a in attendees if a.attendance == Attendance.PRESENT]
        no_phone = attendees[NO_PHONE]
        f = self.facilitator
        self._invitations(wall, attendees, invited)
        for attendee in sorted((a for a in attendees if a.joined_at), key=lambda a: (a.joined_at, a.pk)):
            self._write(wall, "workshops.attendee.joined", attendee.joined_at, actor=attendee.user, target=attendee,
                        via="code")
        guest = None
        if walk_in:
            guest = Attendee.objects.create(
                workshop=workshop, name=WALK_IN_NAME, source=AttendeeSource.WALK_IN, rsvp=Rsvp.YES,
                rsvp_at=start + timedelta(minutes=8), attendance=Attendance.PRESENT, name_consent=False,
                joined_at=start + timedelta(minutes=25))
            self._write(wall, "workshops.attendee.walked_in", guest.rsvp_at, actor=f, target=guest)
            self._write(wall, "workshops.attendee.joined", guest.joined_at, actor=None, target=guest, via="code")
            present.append(guest)

        # Collect (after the welcome and the round of introductions).
        minute = sum(m for _t, m in agenda[:2])
        self._call(wall, wall.at(minute), ws.workshop_phase_set, by=f, workshop=workshop, phase=Phase.COLLECT)
        collect_len = agenda[2][1]
        writers = [a for a in present if a is not guest and a is not no_phone]
        stored: list[Idea] = []
        for i, spec in enumerate(ideas):
            when = wall.at(minute + 2 + (collect_len - 6) * i / len(ideas) + self.rng.random() * 0.5)
            if spec.walk_in and guest is not None:
                attendee, by = guest, None
            elif spec.proxy and no_phone.attendance == Attendance.PRESENT:
                attendee, by = no_phone, f
            else:
                attendee = writers[self.rng.randrange(len(writers))]
                by = attendee.user
            idea, _created = self._call(
                wall, when, ws.idea_add, workshop=workshop, attendee=attendee, prompt=spec.prompt, text=spec.text,
                place=c.PLACES[spec.place].label if spec.place else "", client_id=self._uuid(), by=by)
            idea.created_at = when
            stored.append(idea)
        minute += collect_len

        # Reveal, then grouping into themes; duplicates merged; one or two notes left outside.
        self._call(wall, wall.at(minute), ws.workshop_phase_set, by=f, workshop=workshop, phase=Phase.REVEAL)
        self._call(wall, wall.at(minute + 3), ws.workshop_phase_set, by=f, workshop=workshop, phase=Phase.CLUSTER)
        created = WallTheme.objects.bulk_create(
            WallTheme(workshop=workshop, name=name, position=position, from_suggestion=suggested)
            for position, (_key, name, suggested) in enumerate(themes))
        themes_by_key = {key: theme for (key, _n, _s), theme in zip(themes, created, strict=True)}
        t = minute + 4
        for theme in created:
            self._write(wall, "workshops.theme.created", wall.at(t), actor=f, target=theme, name=theme.name,
                        suggested=theme.from_suggestion)
            t += 0.5
        in_theme: dict[str | None, int] = {}
        for idea, spec in zip(stored, ideas, strict=True):
            if spec.duplicate_of is not None:
                idea.merged_into = stored[spec.duplicate_of]
                idea.theme, idea.position = None, 0
                self._write(wall, "workshops.idea.merged", wall.at(t), actor=f, target=idea,
                            into=idea.merged_into.pk)
            else:
                idea.theme = themes_by_key[spec.theme] if spec.theme else None
                idea.position = in_theme.get(spec.theme, 0)
                in_theme[spec.theme] = idea.position + 1
                if idea.theme is not None:
                    self._write(wall, "workshops.idea.grouped", wall.at(t), actor=f, target=idea, previous=None,
                                theme=idea.theme.pk, new_theme=False)
            t += 15 / len(stored)
        Idea.objects.bulk_update(stored, ["theme", "position", "merged_into", "created_at"])
        minute += agenda[3][1]

        # Dot-vote: every present attendee places all their dots, never on the zero-dot theme.
        self._write(wall, "workshops.vote.configured", wall.at(minute - 1), actor=f, dots=DOTS,
                    max_per_item=max_per_item)
        self._call(wall, wall.at(minute), ws.workshop_phase_set, by=f, workshop=workshop, phase=Phase.VOTE)
        self._call(wall, wall.at(minute + 1), ws.workshop_timer_set, by=f, workshop=workshop, minutes=10)
        weights = {key: 1 + 2 * sum(1 for s in sheets if c_theme(s, ideas) == key)
                   for key, _n, _s in themes if key not in ZERO_DOT_THEMES}
        ungrouped = [i for i, s in zip(stored, ideas, strict=True) if s.theme is None and s.duplicate_of is None]
        dots = []
        for n, attendee in enumerate(present):
            placed: dict = {}
            for _dot in range(DOTS):
                choices = [(themes_by_key[k], w) for k, w in weights.items()]
                if ungrouped and n % 4 == 0:
                    choices.append((ungrouped[-1], 1))
                choices = [(item, w) for item, w in choices
                           if max_per_item is None or placed.get(item, 0) < max_per_item]
                item = self.rng.choices([i for i, _w in choices], [w for _i, w in choices])[0]
                placed[item] = placed.get(item, 0) + 1
            proxy = f if attendee.pk == no_phone.pk else None  # no phone: the facilitator places them
            for item, count in placed.items():
                is_theme = isinstance(item, WallTheme)
                dot = Dot(workshop=workshop, attendee=attendee, theme=item if is_theme else None,
                          idea=None if is_theme else item, count=count, proxy_by=proxy)
                dots.append((dot, wall.at(minute + 2 + 8 * n / len(present))))
        Dot.objects.bulk_create([dot for dot, _when in dots])
        for dot, when in dots:
            item = dot.theme or dot.idea
            self._write(wall, "workshops.dot.set", when, actor=dot.proxy_by or dot.attendee.user, target=item,
                        attendee=dot.attendee_id, count=dot.count, previous=0, proxy=dot.proxy_by_id is not None,
                        item=f"{'theme' if dot.theme else 'idea'}:{item.pk}")
        minute += agenda[4][1]

        # Action sheets: one per action retained, written, then published (the actions exist already).
        self._call(wall, wall.at(minute), ws.workshop_phase_set, by=f, workshop=workshop, phase=Phase.SHEETS)
        by_key = {wa.key: wa for wa in c.WORKSHOP_ACTIONS}
        sheets_len = agenda[5][1]
        made = []
        for position, key in enumerate(sheets):
            wa = by_key[key]
            actors, cost, horizon = SHEET_FACTS[key]
            paragraphs = [p for p in wa.body.split("\n\n") if p.strip()]
            made.append(ActionSheet(
                workshop=workshop, title=wa.title, problem=_plain(paragraphs[0]),
                proposal=_plain("\n\n".join([wa.summary, *paragraphs[1:]])), place=c.PLACES[wa.place].label,
                actors=[str(a) for a in actors], cost=cost, horizon=horizon,
                theme=themes_by_key[c_theme(key, ideas)], status=SheetStatus.DRAFT, position=position,
                client_id=self._uuid(), created_by=f))
        made = ActionSheet.objects.bulk_create(made)
        ActionSheet.ideas.through.objects.bulk_create(
            ActionSheet.ideas.through(actionsheet=sheet, idea=idea)
            for sheet, key in zip(made, sheets, strict=True)
            for idea, spec in zip(stored, ideas, strict=True) if spec.action == key)
        for position, sheet in enumerate(made):
            when = wall.at(minute + 2 + (sheets_len - 6) * position / len(sheets))
            self._write(wall, "workshops.sheet.created", when, actor=f, target=sheet)
        retain_at = wall.at(minute + sheets_len - 4)
        for sheet in made:
            self._write(wall, "workshops.sheet.retained", retain_at, actor=f, target=sheet)
        # Published in one step: one entry per sheet (no version of its own), then the step's.
        publish_at = wall.at(minute + sheets_len - 2)
        for sheet, key in zip(made, sheets, strict=True):
            sheet.status, sheet.action = SheetStatus.PUBLISHED, self.actions[key]
            self._write(wall, "workshops.sheet.published", publish_at, actor=f, target=sheet, bump=False,
                        action=sheet.action.pk)
        self._write(wall, "workshops.sheets.published", publish_at, actor=f, count=len(made))
        ActionSheet.objects.bulk_update(made, ["status", "action"])
        minute += sheets_len

        # Attendance recorded, then closed during the closing words.
        self._write(wall, "workshops.attendance.set", wall.at(minute + 1), actor=f,
                    changed=workshop.attendees.count())
        self._call(wall, wall.at(minute + 2), ws.workshop_phase_set, by=f, workshop=workshop, phase=Phase.CLOSED)
        return self._date(wall, made, dots, guest)

    def _date(self, wall: _Wall, sheets, dots, guest) -> Workshop:
        """Move every timestamp to the moment it happened (the audit in the order it was written)."""
        workshop = wall.workshop
        entries = list(AuditEntry.objects.filter(pk__gt=wall.audit_from, code__startswith="workshops.")
                       .order_by("pk"))
        if len(entries) != len(wall.moments):
            raise RuntimeError(f"demo workshop {workshop.number}: {len(entries)} audit entries, "
                               f"{len(wall.moments)} moments")
        for entry, when in zip(entries, wall.moments, strict=True):
            entry.at = when
        AuditEntry.objects.bulk_update(entries, ["at"])
        phase_moments = [e.at for e in entries if e.code == "workshops.phase.changed"]
        closed_at = phase_moments[-1]
        Workshop.objects.filter(pk=workshop.pk).update(
            created_at=wall.moments[0], updated_at=closed_at, phase_changed_at=closed_at, closed_at=closed_at,
            timer_ends_at=None, version=workshop.version)
        for sheet in sheets:
            sheet.created_at = next(e.at for e in entries if e.code == "workshops.sheet.created"
                                    and e.target == f"workshops.actionsheet:{sheet.pk}")
            sheet.updated_at = next(e.at for e in entries if e.code == "workshops.sheet.published"
                                    and e.target == f"workshops.actionsheet:{sheet.pk}")
        ActionSheet.objects.bulk_update(sheets, ["created_at", "updated_at"])
        themes = {e.target: e.at for e in entries if e.code == "workshops.theme.created"}
        for theme in WallTheme.objects.filter(workshop=workshop):
            WallTheme.objects.filter(pk=theme.pk).update(created_at=themes.get(f"workshops.walltheme:{theme.pk}",
                                                                               wall.start))
        stamped = [dot for dot, _when in dots]
        for dot, when in dots:
            dot.updated_at = when
        Dot.objects.bulk_update(stamped, ["updated_at"])
        if guest is not None:
            Attendee.objects.filter(pk=guest.pk).update(created_at=guest.rsvp_at)
        Attendee.objects.filter(workshop=workshop).filter(~Q(source=AttendeeSource.WALK_IN)).update(
            created_at=wall.moments[0])
        workshop.refresh_from_db()
        return workshop

    # -- the follow-up, to run from scratch ---------------------------------------------------------

    def planned(self, *, title, day, agenda) -> Workshop:
        mark = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        workshop = self._create(title=title, day=day, agenda=agenda)
        # Planned and its invitations sent two days before the demo was loaded.
        planned = timezone.now() - timedelta(days=2, hours=3)
        attendees = self._attendees(workshop, invited_at=planned + timedelta(hours=1))
        for attendee in attendees:  # their personal links (only the hashes are kept; re-sent on reminder)
            ws.attendee_token_issue(attendee)
        Workshop.objects.filter(pk=workshop.pk).update(created_at=planned)
        Attendee.objects.filter(workshop=workshop).update(created_at=planned + timedelta(hours=1))
        AuditEntry.objects.filter(pk__gt=mark, code="workshops.workshop.created").update(at=planned)
        workshop.refresh_from_db()
        return workshop


def c_theme(action_key: str, ideas: list[DemoIdea]) -> str:
    """The theme of the ideas an action's sheet links (they all share one)."""
    keys = {s.theme for s in ideas if s.action == action_key}
    if len(keys) != 1:
        raise ValueError(f"the ideas of {action_key} must share one theme, not {keys}")
    return keys.pop()


def workshop_figures(campaign) -> dict:
    """The demo's workshop figures, counted from the rows (``workshops``: held, i.e. closed and not
    cancelled; ``next_workshop``: the first one still planned, to be run from scratch)."""
    workshops = Workshop.objects.filter(campaign=campaign, cancelled_at__isnull=True)
    held = workshops.filter(phase=Phase.CLOSED)
    upcoming = workshops.filter(phase=Phase.PLANNED).order_by("starts_at").first()
    ideas = Idea.objects.filter(workshop__in=held)
    return {
        "workshops": held.count(),
        "workshop_ideas": ideas.count(),
        "workshop_ideas_merged": ideas.filter(merged_into__isnull=False).count(),
        "workshop_themes": WallTheme.objects.filter(workshop__in=held).count(),
        "workshop_present": Attendee.objects.filter(workshop__in=held, attendance=Attendance.PRESENT).count(),
        "workshop_dots": sum(Dot.objects.filter(workshop__in=held).values_list("count", flat=True)),
        "actions_from_workshops": ActionSheet.objects.filter(
            workshop__in=held, status=SheetStatus.PUBLISHED, action__isnull=False).count(),
        "next_workshop": None if upcoming is None else {
            "title": upcoming.title,
            "starts_at": upcoming.starts_at,
            "place": upcoming.place,
            "room_code": upcoming.room_code,
            "invited": upcoming.attendees.count(),
            "facilitators": sorted(upcoming.facilitators.values_list("email", flat=True)),
        },
    }
