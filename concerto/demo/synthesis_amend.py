"""Demo: versions and amendments at Saint-Jérôme (issue 15), through the synthesis services.

During the synthesis phase (``PhaseKind.SYNTHESIS``), the organiser:
- records a version 2 of a few workshop actions after the online contributions and the door-to-door
  captures (day 1 of the phase);
- collects the candidates' improvements (said on the set, or written) as amendments, anchors some
  of them to a passage of their action (day 1);
- asks the workshop participants' opinion on a few of them (days 1 to 4), the participants answer;
- decides every amendment (days 5 to 10): accepted, accepted with changes, or declined, each with a
  reason in plain French; an accepted one makes a new version credited to its candidate.

The services stamp "now": each act is played on a clock set inside the synthesis phase (the way the
live-event demo plays its show), so that versions, decisions, opinions and the audit trail carry
plausible dates. Everything is drawn from ``rng`` (its own stream).
"""

import random
from datetime import timedelta

from concerto.campaigns.models import Phase, PhaseKind
from concerto.synthesis import services as synthesis
from concerto.synthesis.models import Amendment, AmendmentStatus
from concerto.workshops.models import ActionSheet, Attendance, Attendee

from .live_event import _show_clock

V2_NOTES = [
    ("Précision demandée par plusieurs contributions en ligne et au porte-à-porte : commencer par les abords "
     "des écoles, aux heures d’entrée et de sortie.",
     "Douze contributions en ligne et sept habitants rencontrés au porte-à-porte demandent de commencer par "
     "les écoles."),
    ("Ajout issu du porte-à-porte : prévoir un accès pour les personnes à mobilité réduite.",
     "Plusieurs habitants âgés rencontrés à domicile ont signalé l’accès en fauteuil."),
    ("Complément des contributions en ligne : associer le conseil citoyen au suivi, avec un point d’étape "
     "public chaque année.",
     "Proposition reprise de cinq contributions en ligne."),
]

ACCEPT_REASONS = [
    "La suggestion rejoint ce que les habitants ont exprimé pendant l’atelier ; elle est reprise telle quelle.",
    "Amélioration cohérente avec l’action et sans surcoût important : intégrée au texte final.",
    "Les participants de l’atelier consultés y sont favorables ; la suggestion est intégrée.",
    "Précision utile, qui rend l’action plus concrète : reprise dans la version finale.",
]
MODIFIED_REASONS = [
    "L’idée est reprise, mais reformulée pour rester dans les compétences de la commune.",
    "Reprise avec un calendrier plus prudent que celui proposé, après avis des services techniques.",
    "Intégrée sous une forme plus générale, pour ne pas fermer d’autres solutions discutées en atelier.",
]
DECLINE_REASONS = [
    "Cette suggestion change le sens de l’action votée en atelier : elle n’est pas retenue.",
    "Le coût dépasserait de loin l’enveloppe envisagée par les habitants ; non retenue.",
    "Déjà couvert par une autre action du plan ; la suggestion n’est pas ajoutée ici pour éviter un doublon.",
    "Les participants de l’atelier consultés y sont majoritairement opposés ; non retenue.",
]
OPINION_COMMENTS = ["Bonne idée, à condition de garder le calendrier.", "Je préfère le texte de l’atelier.",
                    "Pourquoi pas, si le quartier est consulté.", "", "", "Oui, c’est ce qu’on avait dit."]


def _synthesis_start(campaign):
    phase = Phase.objects.filter(campaign=campaign, kind=PhaseKind.SYNTHESIS).order_by("starts_at").first()
    return phase.starts_at.replace(hour=9, minute=0, second=0, microsecond=0)


def _first_sentence(text: str) -> str:
    """A passage to anchor to: the first sentence of the description (or of the summary)."""
    text = (text or "").strip()
    end = text.find(".")
    sentence = text[:end + 1] if 0 < end < 160 else text[:80]
    return sentence.strip()


def _participants(action_id) -> list:
    workshop_ids = ActionSheet.objects.filter(action_id=action_id).values_list("workshop_id", flat=True)
    return [a.user for a in Attendee.objects.filter(workshop_id__in=workshop_ids, attendance=Attendance.PRESENT,
                                                    user__isnull=False).select_related("user").order_by("pk")]


def _add_paragraph(body: str, paragraph: str) -> str:
    return ((body or "").rstrip() + "\n\n" + paragraph).strip()


def load_amend(*, campaign, organiser, rng: random.Random) -> dict:
    """Versions 2 after contributions, the amendments collected, some anchored and put to the
    participants, all decided. Returns the figures."""
    start = _synthesis_start(campaign)
    with _show_clock(start) as clock:
        # Versions 2: the first workshop actions of three themes, after contributions.
        actions = {}
        for sheet in ActionSheet.objects.filter(workshop__campaign=campaign, action__isnull=False,
                                                action__status="published").select_related("action").order_by("pk"):
            actions.setdefault(sheet.action.theme_id, sheet.action)
        v2 = 0
        for action, (paragraph, reason) in zip(list(actions.values())[:3], V2_NOTES, strict=False):
            clock.advance(rng.randint(600, 3600))
            synthesis.version_record(by=organiser, campaign=campaign, action_id=action.pk, stage="contributions",
                                     title=action.title, summary=action.summary,
                                     body=_add_paragraph(action.body, paragraph), reason=reason)
            v2 += 1

        clock.advance(3600)
        synthesis.amendments_collect(by=organiser, campaign=campaign)
        amendments = list(Amendment.objects.filter(campaign=campaign).select_related("action", "candidate")
                          .order_by("action__pk", "candidate__ballot_order", "pk"))

        # Anchor about one in three to the first sentence of its action.
        for amendment in amendments[::3]:
            quote = _first_sentence(amendment.action.body) or _first_sentence(amendment.action.summary)
            if quote:
                clock.advance(rng.randint(60, 300))
                synthesis.amendment_anchor(by=organiser, campaign=campaign, amendment_id=amendment.pk, quote=quote)

        # The participants' opinion on four amendments whose action came from a workshop.
        consulted = []
        for amendment in amendments:
            if len(consulted) == 4:
                break
            people = _participants(amendment.action_id)
            if len(people) >= 3:
                consulted.append((amendment, people))
        for amendment, _people in consulted:
            synthesis.amendment_consult(by=organiser, campaign=campaign, amendment_id=amendment.pk,
                                        until=start + timedelta(days=4, hours=9))
        opinions = 0
        for turn, (amendment, people) in enumerate(consulted):
            clock.at = start + timedelta(days=1, hours=9 + 12 * turn)
            for person in rng.sample(people, k=min(len(people), rng.randint(3, 6))):
                clock.advance(rng.randint(600, 14400))
                synthesis.amendment_opinion_give(
                    user=person, campaign=campaign, amendment_id=amendment.pk,
                    opinion=rng.choices(["for", "against", "unsure"], weights=[5, 2, 2])[0],
                    comment=rng.choice(OPINION_COMMENTS))
                opinions += 1

        # Every amendment decided, days 5 to 10.
        clock.at = start + timedelta(days=5)
        decisions = dict.fromkeys((AmendmentStatus.ACCEPTED, AmendmentStatus.ACCEPTED_MODIFIED, AmendmentStatus.DECLINED), 0)
        for index, amendment in enumerate(amendments):
            clock.advance(rng.randint(1800, 10800))
            amendment.action.refresh_from_db()
            action = amendment.action
            decision = (AmendmentStatus.ACCEPTED, AmendmentStatus.DECLINED, AmendmentStatus.ACCEPTED_MODIFIED,
                        AmendmentStatus.ACCEPTED, AmendmentStatus.DECLINED)[index % 5]
            text = amendment.text.strip().rstrip(".")
            if decision == AmendmentStatus.ACCEPTED:
                reason, body = rng.choice(ACCEPT_REASONS), _add_paragraph(action.body, text + ".")
            elif decision == AmendmentStatus.ACCEPTED_MODIFIED:
                reason = rng.choice(MODIFIED_REASONS)
                body = _add_paragraph(action.body, f"À étudier avec les services de la ville : {text[:1].lower()}"
                                                   f"{text[1:]}.")
            else:
                reason, body = rng.choice(DECLINE_REASONS), ""
            synthesis.amendment_decide(by=organiser, campaign=campaign, amendment_id=amendment.pk, decision=decision,
                                       reason=reason, title=action.title, summary=action.summary, body=body)
            decisions[decision] += 1
    return {"amend_versions_v2": v2, "amend_amendments": len(amendments), "amend_anchored": len(amendments[::3]),
            "amend_consulted": len(consulted), "amend_opinions": opinions,
            "amend_decisions": {str(k): v for k, v in decisions.items()}}
