"""Background work of workshops (``manage.py db_worker``): invitation, reminder and cancellation
e-mails. Services enqueue these on commit; a task runs a worker module (``notifications``) and never
imports services (the ``layers`` contract in pyproject.toml)."""

from django_tasks import task

from .notifications import send_cancellation, send_invitations


@task()
def send_workshop_invitations(*, workshop_id: int, attendee_ids: list[int], base_url: str, reminder: bool = False,
                              language: str = "fr") -> int:
    return send_invitations(workshop_id=workshop_id, attendee_ids=attendee_ids, base_url=base_url,
                            reminder=reminder, language=language)


@task()
def send_workshop_cancellation(*, workshop_id: int, attendee_ids: list[int], base_url: str = "",
                               language: str = "fr") -> int:
    return send_cancellation(workshop_id=workshop_id, attendee_ids=attendee_ids, language=language)
