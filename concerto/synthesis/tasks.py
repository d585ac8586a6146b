"""Background work of the synthesis (``manage.py db_worker``).

Services enqueue these tasks on commit; a task runs a worker module and never imports services,
so the import graph stays one-way (the ``layers`` contract in pyproject.toml).
"""

from django_tasks import task

from .notifications import send_dispatch as _send
from .rendering import render_document as _render


@task()
def render_document(*, document_id: int) -> bool:
    """Render one edition of the plan or of a dossier (PDF/UA-1), with its SHA-256."""
    return _render(document_id=document_id)


@task()
def send_dispatch(*, dispatch_id: int, base_url: str, language: str = "fr") -> bool:
    """E-mail one candidate their dossier's personal link."""
    return _send(dispatch_id=dispatch_id, base_url=base_url, language=language)
