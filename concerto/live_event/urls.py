"""Live-event URLs, under /c/<slug>/ (French paths: people read them).

Each part of the app keeps its URLs beside its views:
- views/control_api.py: the control room's actions (JSON POSTs, also plain forms);
- views/control.py: the control room page (running order, positions, speaking time, questions);
- views/public.py: the public live page, the overlays, audience questions;
- views/setup.py: candidates, events, running order, the published reply order, election calendar;
- views/candidate.py: a candidate's own written reactions;
- views/report.py: the fairness report (page and CSV), replay chapters;
- views/turns.py: the speaking turns and their corrections, for the people who run the set.
"""

from .views import candidate, control, control_api, public, report, setup, turns

app_name = "live_event"

urlpatterns = [
    *control_api.urlpatterns,
    *control.urlpatterns,
    *public.urlpatterns,
    *setup.urlpatterns,
    *candidate.urlpatterns,
    *report.urlpatterns,
    *turns.urlpatterns,
]
