"""Background work of door to door and paper (``manage.py db_worker``): the paper forms' PDF.

Services enqueue these tasks on commit; a task runs a worker module (``rendering``) and never
imports services, so the import graph stays one-way (the ``layers`` contract in pyproject.toml).
"""

from django_tasks import task

from .rendering import paper_print_render


@task()
def render_paper_print(*, print_id: int) -> bool:
    """Render a queued printing's forms; taken once (conditional UPDATE), so a retried task does nothing twice."""
    return paper_print_render(print_id=print_id)
