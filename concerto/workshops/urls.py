"""Workshop URLs. Campaign pages under /c/<slug>/ateliers/; the room's own short paths under /atelier/."""


from .views import minutes, sessions, sheets, vote, wall

app_name = "workshops"

# Under /c/<slug>/.
urlpatterns = [
    # Sessions, invitations, RSVP, attendance (views/sessions.py).
    *sessions.urlpatterns,
    # The wall: facilitator console, participant page, projector, ideas, themes (views/wall.py).
    *wall.urlpatterns,
    # Dot-vote and results (views/vote.py).
    *vote.urlpatterns,
    # Action sheets and publishing (views/sheets.py).
    *sheets.urlpatterns,
    # Minutes and exports (views/minutes.py).
    *minutes.urlpatterns,
]

# At the site root: joining a room by its code (/atelier/, /atelier/<code>/) and personal links.
room_urlpatterns = [
    *wall.room_urlpatterns,
    *sessions.room_urlpatterns,
]
