"""Door-to-door and paper URLs, under /c/<slug>/terrain/ (French paths: people read them).

Each part of the app keeps its URLs beside its views:
- views/app.py: the ambassador's installable app (shell, manifest, service worker, data, sync);
- views/devices.py: enrolling phones by QR code and withdrawing them;
- views/rounds.py: rounds by sector and street, the organiser's door-to-door view;
- views/review.py: flags, held batches, conflicts, possible duplicates;
- views/paper.py: the printable paper form and the staff entry screen;
- views/link.py: a resident recognises their door or paper participation.
"""

from .views import app, devices, link, paper, review, rounds

app_name = "fieldwork"

urlpatterns = [
    *app.urlpatterns,
    *devices.urlpatterns,
    *rounds.urlpatterns,
    *review.urlpatterns,
    *paper.urlpatterns,
    *link.urlpatterns,
]

# At the site root: the enrolment link a phone opens by scanning the QR code (/terrain/appareil/<secret>/).
root_urlpatterns = [
    *devices.root_urlpatterns,
]
