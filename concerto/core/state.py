"""What a signed-in page reads on every request, from the cache, with exact invalidation (issue 11).

A signed-in page used to read the campaign, its phases and themes, the viewer's roles and the
actions they support from the database on every request. They now come from the cache, and an
entry is used only while the data it was read from is unchanged; no time limit decides it:

- the **state token** (one random value for the whole instance) changes after any write to the
  campaign models (campaign, organisation, phase, theme, sector) and after any bulk write to the
  memberships: models with ``BumpingQuerySet`` as manager bump it on every ``.update()``,
  ``.delete()``, ``bulk_create()`` and ``bulk_update()``, and their ``post_save``/``post_delete``
  signals bump it (``track_models``). Campaign writes are rare, so one token for all campaigns
  costs nothing and cannot miss a cross-campaign row (an organisation, a moved sector);
- the **viewer's versions** (random values per user, one for their roles, one for their
  supports) change when one of their memberships is saved or deleted (both) and when the
  support services add or withdraw one of their supports (supports only; ``viewer_changed``).

Each entry is stored with the token and version read *before* the database was read, and is
used only if both still match: a write that commits while a request is reading the old rows
leaves that request's entry tagged with a value that no longer exists. Every bump is done at
once and again after the transaction commits, so a request that read the intermediate value
and the not-yet-committed rows is caught too. A bump sets a new random value (never an
increment), so a token evicted from the cache and recreated cannot match an old entry.

One ``get_many`` round trip per request reads the token, the version and the viewer's entries
(``Snapshot``). Entries are keyed by the user and the campaign's slug; a renamed slug changes
the token.
"""

# Only what this process pickled itself is ever unpickled (``held``).
import pickle  # nosec B403
import secrets

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_migrate, post_save

STATE_KEY = "concerto:state:token"
_ENTRY_SECONDS = 24 * 3600  # memory hygiene only: validity is decided by the token and version


def _fresh() -> str:
    return secrets.token_hex(12)


# What is cached per viewer; each has its own version, so a support does not drop the roles.
VIEWER_PARTS = ("roles", "supported")


def _viewer_key(user_id, part: str) -> str:
    return f"concerto:state:viewer:{int(user_id)}:{part}"


def _entry_key(part: str, user_id, slug: str) -> str:
    return f"concerto:state:{part}:{int(user_id)}:{slug}"


def _set_token() -> None:
    cache.set(STATE_KEY, _fresh(), timeout=None)


def bump() -> None:
    """Every entry read before now is stale: now, and again after the current transaction commits."""
    _set_token()
    transaction.on_commit(_set_token)


def viewer_changed(user_id, *parts: str) -> None:
    """This user's entries (``parts``, default all: roles, supports) are stale: now, and again
    after commit."""
    if user_id is None:
        return
    parts = parts or VIEWER_PARTS

    def reset():
        cache.set_many({_viewer_key(user_id, part): _fresh() for part in parts}, timeout=None)

    reset()
    transaction.on_commit(reset)


def _current(key: str, value):
    """The stored random value, or a new one when the key is missing (never a guessable default)."""
    if value is not None:
        return value
    cache.add(key, _fresh(), timeout=None)
    return cache.get(key) or _fresh()


class Snapshot:
    """The token, the viewer's version and their entries for one campaign, read in one round trip."""

    def __init__(self, user_id, slug: str, parts=()):
        self.user_id = user_id
        self.slug = slug
        keys = [STATE_KEY]
        if user_id is not None:
            keys += [_viewer_key(user_id, part) for part in parts]
            keys += [_entry_key(part, user_id, slug) for part in parts]
        got = cache.get_many(keys)
        self.token = _current(STATE_KEY, got.get(STATE_KEY))
        self._versions, self._entries = {}, {}
        if user_id is not None:
            for part in parts:
                self._versions[part] = _current(_viewer_key(user_id, part), got.get(_viewer_key(user_id, part)))
                self._entries[part] = got.get(_entry_key(part, user_id, slug))

    def get(self, part: str, user_id):
        """The cached value of ``part`` for this user, or None if missing or stale."""
        if user_id is None or user_id != self.user_id:
            return None  # a snapshot serves the viewer it was read for, no one else
        entry = self._entries.get(part)
        if entry is None or entry[0] != self.token or entry[1] != self._versions.get(part):
            return None
        return entry[2]

    def put(self, part: str, user_id, value) -> None:
        """Store ``value``, read from the database after this snapshot was taken."""
        if user_id is None or user_id != self.user_id or part not in self._versions:
            return
        entry = (self.token, self._versions[part], value)
        self._entries[part] = entry
        cache.set(_entry_key(part, user_id, self.slug), entry, timeout=_ENTRY_SECONDS)


# Campaign data held by this process, pickled: each request unpickles its own copy, so a view
# that changes an object (a form bound to the campaign) never changes another request's.
_held: dict[tuple, tuple[str, bytes]] = {}
_HELD_MAX = 2000


def held(name: str, key, token: str, load):
    """``load()``'s value, kept in this process while the state token is ``token``."""
    entry = _held.get((name, key))
    if entry is not None and entry[0] == token:
        # Pickled by this process, below; never read from the network or the cache.
        return pickle.loads(entry[1])  # noqa: S301  # nosec B301
    value = load()
    if len(_held) >= _HELD_MAX:
        _held.clear()
    _held[(name, key)] = (token, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def held_clear() -> None:
    """Tests: forget what this process holds (never needed for correctness: the token decides)."""
    _held.clear()


def token_of(obj) -> str:
    """The state token a page's campaign (``campaign_for_page``) was read under."""
    return obj.__dict__["_concerto_state"].token


class BumpingQuerySet(models.QuerySet):
    """Bulk writes (which send no signal) on a tracked model change the state token."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        bump()
        return rows

    def delete(self):
        result = super().delete()
        bump()
        return result

    def bulk_create(self, *args, **kwargs):
        objs = super().bulk_create(*args, **kwargs)
        bump()
        return objs

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        bump()
        return rows


def _bump_on_signal(sender, **kwargs) -> None:
    bump()


def _viewer_on_signal(sender, instance, **kwargs) -> None:
    viewer_changed(instance.user_id)


def _bump_after_migrate(sender, **kwargs) -> None:
    bump()


def track_models(*model_classes) -> None:
    """Saving or deleting one of these rows changes the state token (campaign data); so does a
    migration (data migrations use historical models, without the bumping manager)."""
    post_migrate.connect(_bump_after_migrate, dispatch_uid="state-bump-migrate")
    for model in model_classes:
        post_save.connect(_bump_on_signal, sender=model, dispatch_uid=f"state-bump-save-{model._meta.label}")
        post_delete.connect(_bump_on_signal, sender=model, dispatch_uid=f"state-bump-delete-{model._meta.label}")


def track_viewer_models(*model_classes) -> None:
    """Saving or deleting one of these rows (with a ``user_id``) changes that user's version."""
    for model in model_classes:
        post_save.connect(_viewer_on_signal, sender=model, dispatch_uid=f"state-viewer-save-{model._meta.label}")
        post_delete.connect(_viewer_on_signal, sender=model, dispatch_uid=f"state-viewer-delete-{model._meta.label}")
