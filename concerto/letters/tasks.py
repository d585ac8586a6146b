"""Background work of the letters app: rendering large batches of letters (``manage.py db_worker``)."""

from django_tasks import task


@task()
def render_batch(*, batch_id: int, join_url: str) -> None:
    """Render a queued batch; the service is idempotent, so a retried task does nothing twice."""
    from .services import batch_render  # services enqueue this task: import at run time

    batch_render(batch_id=batch_id, join_url=join_url)
