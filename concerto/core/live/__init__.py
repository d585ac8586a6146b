"""The live-update channel: server-sent events per topic, published after commit from any process,
delivered to the viewers of every stream process (docs/live.md)."""

from .publish import publish, publish_many
from .topics import register

__all__ = ["publish", "publish_many", "register"]
