"""The live-update channel: server-sent events per topic, published after commit from any process,
delivered to the viewers of every stream process (docs/live.md)."""

from .publish import publish
from .topics import register

__all__ = ["publish", "register"]
