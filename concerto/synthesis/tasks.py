"""Background work of the synthesis. Services enqueue these tasks on commit; a task runs a worker
module (``rendering``, ``notifications``, ``computation``) and never imports services."""

from django_tasks import task

# -- followup --
from .notifications import send_commitment_update


@task()
def notify_commitment_update(*, update_id: int) -> int:
    """E-mail the people subscribed to the action of a commitment that got an update."""
    return send_commitment_update(update_id=update_id)
