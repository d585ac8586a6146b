"""The ``action:<id>`` live topic: an action's support count, for whoever may see the action."""

from concerto.core import live

from . import rules
from .models import Action


def _action(ident: str):
    if not ident.isdigit():
        return None
    return Action.objects.select_related("campaign").filter(pk=int(ident)).first()


def authorize(user, ident: str) -> bool:
    action = _action(ident)
    return action is not None and rules.can_view_action(user, action)


def snapshot(ident: str) -> dict:
    count = Action.objects.filter(pk=int(ident)).values_list("support_count", flat=True).first()
    return {"supports": count or 0}


def register() -> None:
    live.register("action", authorize=authorize, snapshot=snapshot)
