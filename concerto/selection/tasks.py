"""Background work of selections: the distribution of large pools, the notification e-mails."""

from django_tasks import task


@task()
def compute_selection(*, selection_id: int, marker: str) -> None:
    from .services import selection_run

    selection_run(selection_id=selection_id, marker=marker)


@task()
def send_selection_emails(*, selection_id: int, seat_ids: list[int], audit_url: str, language: str = "fr") -> int:
    from .notifications import send_seat_emails

    return send_seat_emails(selection_id=selection_id, seat_ids=seat_ids, audit_url=audit_url, language=language)
