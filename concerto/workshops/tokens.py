"""Personal links of attendees: a random secret given once (in the invitation), only its hash kept.

A module of its own, below ``services`` and ``notifications``: the e-mail task issues the secret
at the moment it writes the message, so the secret never sits in the task queue.
"""

import hashlib
import secrets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(attendee) -> str:
    """A new secret for this attendee; the previous one stops working."""
    token = secrets.token_urlsafe(24)
    type(attendee).objects.filter(pk=attendee.pk).update(token_hash=token_hash(token))
    attendee.token_hash = token_hash(token)
    return token
