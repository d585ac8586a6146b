"""Background work of the workshops app (``manage.py db_worker``): the minutes' PDF, and the
invitation, reminder and cancellation e-mails.

Services enqueue these tasks on commit; a task runs a worker module (``minutes``, ``notifications``)
and never imports services, so the import graph stays one-way (the ``layers`` contract in pyproject.toml).
"""

from django_tasks import task

from .minutes import render_minutes as _render
from .notifications import send_cancellation, send_invitations


@task()
def render_minutes(*, workshop_id: int, version: int) -> bool:
    """Render the minutes of the closed wall at ``version``; a stale or repeated task does nothing."""
    return _render(workshop_id=workshop_id, version=version)


@task()
def send_workshop_invitations(*, workshop_id: int, attendee_ids: list[int], base_url: str, reminder: bool = False,
                              language: str = "fr") -> int:
    return send_invitations(workshop_id=workshop_id, attendee_ids=attendee_ids, base_url=base_url,
                            reminder=reminder, language=language)


@task()
def send_workshop_cancellation(*, workshop_id: int, attendee_ids: list[int], base_url: str = "",
                               language: str = "fr") -> int:
    return send_cancellation(workshop_id=workshop_id, attendee_ids=attendee_ids, language=language)
