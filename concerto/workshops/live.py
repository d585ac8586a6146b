"""The ``wall:<workshop id>`` live topic: the wall's version, phase, timer and counts.

Only counts and the phase travel on the stream (what the projector shows the room), so anyone may
watch a wall that exists. What a person may read (ideas, names, dots) is fetched over plain HTTP
when the version changes, rendered for that person by the views: the stream never carries content.
"""

from concerto.core import live

from .models import Workshop


def topic(workshop) -> str:
    return f"wall:{workshop.pk}"


def _workshop(ident: str):
    if not ident.isdigit():
        return None
    return Workshop.objects.filter(pk=int(ident)).first()


def authorize(user, ident: str) -> bool:
    return _workshop(ident) is not None


def snapshot(ident: str) -> dict:
    from .selectors import wall_counts

    workshop = _workshop(ident)
    return wall_counts(workshop) if workshop is not None else {}


def register() -> None:
    live.register("wall", authorize=authorize, snapshot=snapshot)
