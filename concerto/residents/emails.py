"""The one normal form of an e-mail address: what is stored, and what every lookup compares exactly.

Why so strict: PostgreSQL's ``UPPER()`` (behind ``email__iexact``) folds Unicode, so ``gmaıl.com``
(dotless ı), ``ſ`` (long s) and ``K`` (Kelvin sign) matched ``gmail.com``, ``s`` and ``k``, and a
link mailed to a look-alike domain anyone can register signed in as the real account (attack pass
F1). So an address is normalised once, here, then stored and matched byte for byte (``email=``):

- it must be stable under NFKC: characters that only look like others (``ſ``, ``K``, full-width
  letters) are refused, never silently folded into someone else's address;
- the part before the @ must be ASCII (mailboxes with accents are rare and their folding rules
  belong to each mail server, not to us); it is lower-cased, as Concerto always did;
- the domain is lower-cased; a domain with non-ASCII letters (``café.fr``) is stored in its IDNA
  A-label (``xn--caf-dma.fr``), which is ASCII and can never equal another ASCII domain. A domain
  that IDNA would map to other letters (``straße.de`` → ``strasse.de``) is refused.

No model import here: the data migration uses this module too.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .errors import EmailInvalid


def _refuse_lookalikes():
    return EmailInvalid(_(
        "This address contains characters that only look like ordinary letters. "
        "Type it again with ordinary letters."
    ))


def normalise_email(email: str | None) -> str:
    """The stored form of ``email``, or ``EmailInvalid`` (code ``email_invalid``)."""
    email = (email or "").strip()
    if not email or "@" not in email:
        raise EmailInvalid()
    if unicodedata.normalize("NFKC", email) != email:
        raise _refuse_lookalikes()
    local, _at, domain = email.rpartition("@")
    if not local.isascii():
        raise EmailInvalid(_(
            "The part of the address before the @ may only contain unaccented letters, digits and "
            "simple signs such as . - _ +. If your address has other characters, use another one."
        ))
    local = local.lower()
    if domain.isascii():
        domain = domain.lower()
    else:
        lowered = domain.lower()
        # A non-ASCII letter whose lower case is ASCII (K → k), that lower-cases to two (İ → i̇)
        # or that case-folds to other letters (ß → ss) would reach someone else's domain.
        if (
            len(lowered) != len(domain)
            or lowered.casefold() != lowered
            or unicodedata.normalize("NFKC", lowered) != lowered
            or any(not c.isascii() and c.lower().isascii() for c in domain)
        ):
            raise _refuse_lookalikes()
        try:
            a_label = lowered.encode("idna").decode("ascii")
            round_trip = a_label.encode("ascii").decode("idna")
        except UnicodeError as exc:
            raise EmailInvalid() from exc
        if round_trip != lowered:
            raise _refuse_lookalikes()
        domain = a_label
    normal = f"{local}@{domain}"
    try:
        validate_email(normal)
    except ValidationError as exc:
        raise EmailInvalid() from exc
    if not normal.isascii() or len(normal) > 254:
        raise EmailInvalid()
    return normal
