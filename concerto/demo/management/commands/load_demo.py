"""``manage.py load_demo``: the Saint-Jérôme demo campaign, loaded once (``--reset`` to reload)."""

from django.core.management.base import BaseCommand
from django.utils import formats, timezone, translation

from concerto.demo import content
from concerto.demo.services import ONLINE_RESIDENT_COUNT, demo_load

CHANNELS = {"online": "en ligne", "door_to_door": "porte-à-porte", "workshop": "atelier", "paper": "papier"}
STATUSES = {"published": "publiées", "rejected": "refusées", "merged": "fusionnées", "pending": "en attente"}
ORIGINS = {"online": "en ligne", "door_to_door": "porte-à-porte", "paper": "papier"}


def _detail(counts: dict, labels: dict) -> str:
    return ", ".join(f"{label} {counts.get(key, 0)}" for key, label in labels.items())


class Command(BaseCommand):
    help = "Charge la campagne de démonstration « Saint-Jérôme » (sans effet si elle est déjà chargée)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Supprime la campagne de démonstration, ses actions et ses comptes @example.org, puis la recharge.",
        )

    def handle(self, *args, reset=False, **options):
        result = demo_load(reset=reset)
        name, slug = content.CAMPAIGN["name"], content.CAMPAIGN["slug"]
        if not result.loaded:
            self.stdout.write(
                f"La démo « {name} » est déjà chargée (campagne « {slug} »). "
                "Relancez avec --reset pour la recharger."
            )
            return
        n = result.counts
        seconds = f"{result.seconds:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(f"Démo « {name} » chargée en {seconds} s."))
        self.stdout.write(
            f"  Habitants : {n['residents']} (ayant participé : {n['participating_residents']}) · "
            f"équipe : {n['staff']} · candidats : {n['candidates']}"
        )
        self.stdout.write(
            f"  Courriers envoyés : {n['letters_sent']} · codes utilisés : {n['codes_used']} "
            f"({n['residents_by_code']} habitants inscrits avec un code) · volontaires : {n['volunteers']} · "
            f"participants aux ateliers tirés au sort : {n['workshop_participants']}"
        )
        self.stdout.write(
            f"  Ateliers tenus : {n['workshops']} ({n['workshop_present']} présences) · idées : "
            f"{n['workshop_ideas']} (dont {n['workshop_ideas_merged']} doublons fusionnés) · thèmes : "
            f"{n['workshop_themes']} · gommettes : {n['workshop_dots']} · fiches actions publiées : "
            f"{n['actions_from_workshops']}"
        )
        self.stdout.write(f"  Actions des ateliers : {n['workshop_actions']}")
        upcoming = n.get("next_workshop")
        if upcoming:
            with translation.override("fr"):  # the summary is French, whatever the shell's locale
                when = formats.date_format(timezone.localtime(upcoming["starts_at"]), "l j F Y à H \\h i")
            self.stdout.write(
                f"  Prochain atelier, à animer de bout en bout : « {upcoming['title']} », {when} "
                f"({upcoming['invited']} participants invités) · code de salle : {upcoming['room_code']} "
                f"(/atelier/{upcoming['room_code']}/) · compte animateur : {', '.join(upcoming['facilitators'])} "
                f"(mot de passe « {content.DEMO_PASSWORD} »)"
            )
        held, upcoming = n.get("live_held"), n.get("live_next")
        if held:
            with translation.override("fr"):
                held_day = formats.date_format(timezone.localtime(held["started_at"]), "l j F Y à H \\h i")
                next_day = (formats.date_format(timezone.localtime(upcoming["starts_at"]), "l j F Y à H \\h i")
                            if upcoming else "")
                rounds = " et ".join(formats.date_format(d, "j F Y") for d in n["election_rounds"])
            seconds_gap = f"{n['live_gap']:.0f}"
            self.stdout.write(
                f"  Plateau en direct : {n['live_candidates']} listes · « {held['title']} », {held_day}, terminé : "
                f"{n['live_positions']} positions ({n['live_no_answer']} « Pas de réponse », {n['live_improvements']} "
                f"améliorations suggérées), {n['live_written']} réactions écrites, {n['live_turns']} prises de parole "
                f"(écart de temps de parole {seconds_gap} s) · ordre de passage publié (graine « {held['seed']} », "
                f"/c/{slug}/direct/{held['id']}/ordre/)"
            )
            if upcoming:
                self.stdout.write(
                    f"  Prochain plateau, à animer depuis la régie : « {upcoming['title']} », {next_day} "
                    f"({upcoming['items']} actions, ordre publié) · /c/{slug}/direct/{upcoming['id']}/regie/ avec "
                    f"animateur@{content.EMAIL_DOMAIN} · scrutin : {rounds}"
                )
        self.stdout.write(
            f"  Contributions : {n['contributions']} ({_detail(n['contributions_by_status'], STATUSES)}) ; "
            f"reçues {_detail(n['contributions_by_origin'], ORIGINS)}"
        )
        self.stdout.write(f"  Soutiens : {n['supports']} ({_detail(n['supports_by_channel'], CHANNELS)})")
        self.stdout.write(
            f"  Porte-à-porte : {n['door_to_door_visits']} portes frappées ({n['doors_opened']} ouvertes, "
            f"{n['doors_talked']} discussions) · {n['door_participants']} habitants rencontrés ont participé · "
            f"{n['held_visits']} visites en attente de vérification ; formulaires papier saisis : "
            f"{n['paper_participants']}"
        )
        self.stdout.write(
            f"  Commentaires : {n['comments']} (dont {n['comments_reported']} signalés, "
            f"{n['comments_hidden']} masqué)"
        )
        self.stdout.write(
            f"  Comptes (mot de passe « {content.DEMO_PASSWORD} ») : organisatrice@, animateur@, "
            f"moderatrice@, ambassadeur@, ambassadrice@, candidate1@ … candidate{n['candidates']}@{content.EMAIL_DOMAIN} ; "
            f"habitants habitant001@ … habitant{ONLINE_RESIDENT_COUNT:03d}@{content.EMAIL_DOMAIN} "
            "(connexion par lien)"
        )
        if n["link_prompt"]:
            self.stdout.write(
                f"  Rencontré·e à sa porte ? {n['link_prompt']} voit « était-ce vous ? » sur l'accueil de la campagne"
            )
        if n["unused_codes"]:
            self.stdout.write(
                "  Codes de courrier encore libres, pour essayer /c/saint-jerome/rejoindre/ : "
                + ", ".join(n["unused_codes"])
            )
