"""Synthesis URLs, under /c/<slug>/ (French paths: people read them).

Each part of the app keeps its URLs beside its views:
- views/amendments.py: versions and their diffs, the candidates' amendments and their decisions;
- views/documents.py: the final plan, the candidates' dossiers, their dispatch and its public log;
- views/results.py: the public positions page, the open data package;
- views/followup.py: the elected list's commitments, their timeline, the yearly report.
"""

from .views import amendments, documents, followup, results

app_name = "synthesis"

urlpatterns = [
    *amendments.urlpatterns,
    *documents.urlpatterns,
    *results.urlpatterns,
    *followup.urlpatterns,
]
