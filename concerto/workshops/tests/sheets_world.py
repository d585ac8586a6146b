"""A workshop at the sheets phase, demo-sized: 12 attendees, ~40 ideas in 6 themes, dots, sheets.

Built with the ORM where the wall's other services (themes, dots: other parts of issue 12) are not
the subject of these tests; phase changes and sheets go through the real services."""

import uuid
from datetime import timedelta

from django.utils import timezone

from concerto.workshops import services
from concerto.workshops.models import (
    PHASE_ORDER,
    Attendance,
    Attendee,
    AttendeeSource,
    Dot,
    Idea,
    Prompt,
    WallTheme,
)

THEMES = ["Mobilité", "Espaces verts", "Propreté", "Commerces", "Jeunesse", "Sécurité"]
WORDS = ["Des bancs à l'ombre place du marché", "Un passage piéton devant l'école", "Plus de poubelles rue Émile-Zola",
         "Des pistes cyclables continues", "Un marché le samedi matin", "Des activités pour les ados le soir"]


def make_workshop(campaign, organiser, *, facilitators=(), number_title="Atelier du quartier", days=0):
    now = timezone.now() + timedelta(days=days)
    return services.workshop_create(
        by=organiser, campaign=campaign, title=number_title, starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=1), place="Maison de quartier", address="3 rue des Écoles",
        agenda=[("Accueil", 15), ("Mur d'idées", 45)], facilitators=list(facilitators))


def move_to(workshop, phase, by):
    """Forward one step at a time (each step audited, as in the room)."""
    workshop.refresh_from_db()
    while PHASE_ORDER.index(workshop.phase) < PHASE_ORDER.index(phase):
        nxt = PHASE_ORDER[PHASE_ORDER.index(workshop.phase) + 1]
        workshop = services.workshop_phase_set(by=by, workshop=workshop, phase=nxt)
    return workshop


def fill_wall(workshop, *, people=12, ideas=40, themes=6, facilitator=None):
    """Attendees (half agree to be named, one walk-in, one excused), ideas, themes (the last one
    without any idea and without dots: a zero-vote theme), dots, two merged duplicates."""
    attendees = []
    for i in range(people):
        attendees.append(Attendee.objects.create(
            workshop=workshop, name=f"Personne {i + 1:02d}", source=AttendeeSource.WALK_IN if i == 0 else AttendeeSource.PANEL,
            attendance=Attendance.EXCUSED if i == people - 1 else Attendance.PRESENT, name_consent=i % 2 == 0,
            joined_at=timezone.now()))
    wall_themes = [WallTheme.objects.create(workshop=workshop, name=THEMES[i % len(THEMES)] + ("" if i < len(THEMES) else f" {i}"),
                                            position=i, from_suggestion=i == 1) for i in range(themes)]
    made = []
    for i in range(ideas):
        made.append(Idea.objects.create(
            workshop=workshop, attendee=attendees[i % (people - 1)], prompt=Prompt.values[i % 3],
            text=f"{WORDS[i % len(WORDS)]} (n° {i + 1})", place="Place du marché" if i % 5 == 0 else "",
            client_id=uuid.uuid4(), position=i, theme=wall_themes[i % (themes - 1)] if i % 7 else None,
            proxy_by=facilitator if i == 3 else None))
    made[1].merged_into = made[0]
    made[1].save()
    made[2].merged_into = made[0]
    made[2].save()
    for i, attendee in enumerate(attendees[:people - 1]):
        Dot.objects.create(workshop=workshop, attendee=attendee, theme=wall_themes[0], count=3,
                           proxy_by=facilitator if i == 4 else None)
        Dot.objects.create(workshop=workshop, attendee=attendee, theme=wall_themes[1 + i % 2 if len(wall_themes) > 2 else 1], count=2)
    return attendees, wall_themes, made
