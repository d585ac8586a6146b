"""Background work of selections: the distribution of large pools, the notification e-mails.

Services enqueue these tasks on commit; a task runs a worker module (``computation``,
``notifications``) and never imports services, so the import graph stays one-way (the ``layers``
contract in pyproject.toml).
"""

from django_tasks import task

from .computation import selection_run
from .notifications import send_seat_emails


@task()
def compute_selection(*, selection_id: int, marker: str) -> None:
    selection_run(selection_id=selection_id, marker=marker)


@task()
def send_selection_emails(*, selection_id: int, seat_ids: list[int], audit_url: str, language: str = "fr") -> int:
    return send_seat_emails(selection_id=selection_id, seat_ids=seat_ids, audit_url=audit_url, language=language)
