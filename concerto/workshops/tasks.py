"""Background work of the workshops app (``manage.py db_worker``): the minutes' PDF.

Services enqueue these tasks on commit; a task runs a worker module (``minutes``) and never
imports services, so the import graph stays one-way (the ``layers`` contract in pyproject.toml).
"""

from django_tasks import task

from .minutes import render_minutes as _render


@task()
def render_minutes(*, workshop_id: int, version: int) -> bool:
    """Render the minutes of the closed wall at ``version``; a stale or repeated task does nothing."""
    return _render(workshop_id=workshop_id, version=version)
