"""Stage 2: the public draw from a published distribution, the reserve list, replacements."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence

from .model import WEIGHT_TOTAL, Distribution, Person, Quota, panel_meets_quotas


def normalise_random_value(random_value: str) -> str:
    """Strip and collapse inner whitespace (case is kept: « A » and « a » are different values).

    Only for values drawn before formats were announced; a value drawn now is canonical
    (:func:`canonical_random_value`) and has no whitespace at all."""
    return " ".join(str(random_value).split())


# --- The announced format of the random value ---------------------------------------------------
#
# Typing the value freely lets whoever types it choose among many spellings of the same result
# ("7 12 23 38 41", "41, 38, 23, 12, 7", "Loto 07-12-23-38-41"...), each giving another ticket.
# So the announcement fixes a format, and the draw only accepts a value that parses in it and
# uses its one canonical form: the same result always gives the same ticket.

RANDOM_FORMAT_KINDS = ("lottery", "digits", "hex")
LOTTERY_COUNT_MAX = 20
LOTTERY_HIGH_MAX = 10**6
DIGITS_MAX = 64
HEX_MIN, HEX_MAX = 8, 128
_DIGIT_RUN = re.compile(r"[0-9]+")
_HEX_SEPARATORS = re.compile(r"[\s:\-]+")
_HEX = re.compile(r"[0-9a-f]+")


class BadRandomValue(ValueError):
    """The value (or the format) is not acceptable: ``code`` names the reason and ``params`` hold the
    numbers, so that callers word it in their reader's language (the site: selection.services,
    through gettext; verify.py in French). ``str()`` is for logs only."""

    def __init__(self, code: str, **params):
        super().__init__(" ".join([code, *(f"{k}={v}" for k, v in sorted(params.items()))]))
        self.code = code
        self.params = params


def _int(spec: Mapping, key: str) -> int:
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRandomValue("bad_format", missing=key)
    return value


def validate_random_format(spec: Mapping) -> dict:
    """The clean format ``{"kind": ...}``: ``lottery`` (``count`` distinct integers from ``low`` to
    ``high``), ``digits`` (``length`` decimal digits) or ``hex`` (``length`` hexadecimal digits).
    Raises ``BadRandomValue`` (code ``bad_format``)."""
    kind = spec.get("kind") if isinstance(spec, Mapping) else None
    if kind == "lottery":
        count, low, high = _int(spec, "count"), _int(spec, "low"), _int(spec, "high")
        if not (1 <= count <= LOTTERY_COUNT_MAX and 0 <= low < high <= LOTTERY_HIGH_MAX
                and count <= high - low + 1):
            raise BadRandomValue("bad_format", kind=kind)
        return {"kind": kind, "count": count, "low": low, "high": high}
    if kind == "digits":
        length = _int(spec, "length")
        if not 1 <= length <= DIGITS_MAX:
            raise BadRandomValue("bad_format", kind=kind)
        return {"kind": kind, "length": length}
    if kind == "hex":
        length = _int(spec, "length")
        if not HEX_MIN <= length <= HEX_MAX:
            raise BadRandomValue("bad_format", kind=kind)
        return {"kind": kind, "length": length}
    raise BadRandomValue("bad_format", kind=kind)


def canonical_random_value(spec: Mapping, raw: str) -> str:
    """The one canonical spelling of ``raw`` in the announced format, or ``BadRandomValue``.

    * ``lottery``: the ASCII digit runs are the numbers (anything else, words and separators, is
      ignored); exactly ``count`` of them, distinct, each from ``low`` to ``high``; canonical:
      ascending, no leading zeros, joined by "-" ("41, 38, 23, 12, 07" → "7-12-23-38-41").
    * ``digits``: the ASCII digits in their order (spaces, dots, dashes... ignored; any letter
      refused), exactly ``length`` of them ("123 456" → "123456").
    * ``hex``: lower case, an optional "0x" and whitespace, ":" and "-" removed, then exactly
      ``length`` hexadecimal digits and nothing else.

    Every spelling of the same result either gives the same canonical value or is refused.
    """
    spec = validate_random_format(spec)
    text = str(raw or "")
    kind = spec["kind"]
    if kind == "lottery":
        numbers = [int(run) for run in _DIGIT_RUN.findall(text)]
        if len(numbers) != spec["count"]:
            raise BadRandomValue("wrong_count", expected=spec["count"], found=len(numbers))
        if len(set(numbers)) != len(numbers):
            raise BadRandomValue("repeated")
        outside = [n for n in numbers if not spec["low"] <= n <= spec["high"]]
        if outside:
            raise BadRandomValue("out_of_range", number=outside[0], low=spec["low"], high=spec["high"])
        return "-".join(str(n) for n in sorted(numbers))
    if kind == "digits":
        if any(c.isalpha() for c in text) or any(c.isdigit() and c not in "0123456789" for c in text):
            raise BadRandomValue("not_digits")
        digits = "".join(_DIGIT_RUN.findall(text))
        if len(digits) != spec["length"]:
            raise BadRandomValue("wrong_length", expected=spec["length"], found=len(digits))
        return digits
    value = _HEX_SEPARATORS.sub("", text.strip().lower())
    if value.startswith("0x"):
        value = value[2:]
    if not _HEX.fullmatch(value or "-") or len(value) != spec["length"]:
        raise BadRandomValue("not_hex", expected=spec["length"], found=len(value))
    return value


def random_format_example(spec: Mapping) -> str:
    """A canonical value of this format, to show how the value will be written."""
    spec = validate_random_format(spec)
    if spec["kind"] == "lottery":
        count, low, high = spec["count"], spec["low"], spec["high"]
        step = (high - low + 1) // count
        return "-".join(str(low + step // 2 + i * step) for i in range(count))
    if spec["kind"] == "digits":
        return ("3141592653589793238462643383279502884197" * 2)[: spec["length"]]
    return ("9f86d081884c7d659a2feaa0c55ad015" * 4)[: spec["length"]]


def draw_ticket(distribution_digest: str, random_value: str) -> int:
    normalised = normalise_random_value(random_value)
    digest = hashlib.sha256(f"{distribution_digest}|{normalised}".encode()).hexdigest()
    return int(digest, 16) % WEIGHT_TOTAL


def draw_panel(distribution: Distribution, random_value: str) -> tuple[int, int]:
    """``(panel_index, ticket)``: ticket = sha256("<distribution digest>|<normalised value>") mod
    WEIGHT_TOTAL; the panel is the first whose cumulative weight exceeds the ticket."""
    if not normalise_random_value(random_value):
        raise ValueError("La valeur aléatoire est vide.")
    ticket = draw_ticket(distribution.digest(), random_value)
    return panel_index_for_ticket(distribution.weights, ticket), ticket


def panel_index_for_ticket(weights: Sequence[int], ticket: int) -> int:
    """The first panel whose cumulative weight exceeds ``ticket`` (0 <= ticket < WEIGHT_TOTAL)."""
    cumulative = 0
    for index, weight in enumerate(weights):
        cumulative += weight
        if cumulative > ticket:
            return index
    raise ValueError("Les poids de la distribution ne totalisent pas WEIGHT_TOTAL.")


def reserve_order(people_ids: Iterable[str], panel: Iterable[str], random_value: str) -> list[str]:
    """Everybody not on the panel, by sha256("<normalised value>|reserve|<id>") ascending."""
    normalised = normalise_random_value(random_value)
    on_panel = set(panel)
    rest = sorted({pid for pid in people_ids if pid not in on_panel})

    def key(pid: str) -> tuple[str, str]:
        return hashlib.sha256(f"{normalised}|reserve|{pid}".encode()).hexdigest(), pid

    return sorted(rest, key=key)


def replacement_for(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    panel_size: int,
    current_panel: Sequence[str],
    withdrawn_id: str,
    reserve: Sequence[str],
) -> str | None:
    """The first reserve (in order, skipping people already on the panel) whose arrival in place
    of ``withdrawn_id`` keeps every quota; ``None`` if nobody does. The caller then decides
    (for instance take the first reserve anyway and record that the quotas were relaxed)."""
    by_id = {p.id: p for p in people}
    quotas = list(quotas)
    remaining = [pid for pid in current_panel if pid != withdrawn_id]
    on_panel = set(current_panel)
    for candidate in reserve:
        if candidate in on_panel or candidate == withdrawn_id or candidate not in by_id:
            continue
        if panel_meets_quotas([*remaining, candidate], by_id, quotas, panel_size):
            return candidate
    return None
