"""Background work of the synthesis (``manage.py db_worker``).

Services enqueue these tasks on commit; a task runs a worker module (``rendering``, ``notifications``,
``computation``) and never imports services, so the import graph stays one-way (the ``layers``
contract in pyproject.toml).
"""

from django_tasks import task

from .notifications import send_commitment_update, send_digest
from .notifications import send_dispatch as _send
from .rendering import render_document as _render

# -- amend --

@task()
def send_supporters_digest(*, campaign_id: int, base_url: str, language: str = "fr") -> int:
    """One e-mail per opted-in supporter whose supported actions changed; returns how many were sent."""
    return send_digest(campaign_id=campaign_id, base_url=base_url, language=language)


# -- followup --
@task()
def notify_commitment_update(*, update_id: int) -> int:
    """E-mail the people subscribed to the action of a commitment that got an update."""
    return send_commitment_update(update_id=update_id)


# -- documents --
@task()
def render_document(*, document_id: int) -> bool:
    """Render one edition of the plan or of a dossier (PDF/UA-1), with its SHA-256."""
    return _render(document_id=document_id)


@task()
def send_dispatch(*, dispatch_id: int, base_url: str, language: str = "fr") -> bool:
    """E-mail one candidate their dossier's personal link."""
    return _send(dispatch_id=dispatch_id, base_url=base_url, language=language)
