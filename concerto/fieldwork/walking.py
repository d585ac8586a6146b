"""The walking order of a round's doors: pure functions, no database.

An address's first line is read as ``<number>[ <suffix>][,] <street>`` ("12 rue Tissot", "12 bis
rue Tissot", "12B, avenue Saint-Jérôme", "12-14 impasse des Lilas": 12). A line without a leading
number ("Résidence Les Pins", "Bât. A rue ...") keeps its whole text as the street and comes after
the numbered doors of that street.

Order, and why:

1. Sector by sector, in the order of the sectors' names.
2. Within a sector, streets with the most doors whose letter code was never used come first (ties
   by name): an afternoon rarely covers the whole list, and those households are the ones the round
   is for, the residents we have not heard yet.
3. Within a street, the households whose code was never used first, then those where someone
   already joined online (they may still have someone to meet): one walk up the street for the
   first, one back for the others, never a zig-zag across the neighbourhood.
4. Within each of these passes, odd numbers going up then even numbers coming back down, as
   canvassers walk a street (one side up, the other side back); suffixes follow their number
   (12, 12 bis, 12 ter; 12A, 12B).
"""

import re
from collections import defaultdict

from concerto.core.text import search_key

_NUMBER = re.compile(r"^\s*(\d{1,5})\s*(?:-\s*\d{1,5})?\s*(bis|ter|quater|quinquies|[a-z](?![a-z]))?\s*[,.]?\s*(.*)$",
                     re.IGNORECASE)
_SUFFIX_RANK = {"": 0, "bis": 1, "ter": 2, "quater": 3, "quinquies": 4}


def parse_address(line: str) -> tuple[int | None, str, str]:
    """(house number or None, suffix in lower case, street as written)."""
    match = _NUMBER.match(line or "")
    if match is None or not match.group(3).strip():
        return None, "", (line or "").strip()
    return int(match.group(1)), (match.group(2) or "").lower(), match.group(3).strip()


def street_key(street: str) -> str:
    """Two spellings of one street ("Rue Tissot", "rue tissot") are one street."""
    return " ".join(search_key(street).replace("-", " ").replace("'", " ").split())


def _suffix_rank(suffix: str) -> int:
    return _SUFFIX_RANK.get(suffix, 10 + ord(suffix[0]) if suffix else 0)


def _door_key(door: dict) -> tuple:
    number, suffix = door["number"], door["suffix"]
    if number is None:
        return (2, 0, 0, search_key(door["address_line1"]), door["id"])
    if number % 2:  # odd side, going up
        return (0, number, _suffix_rank(suffix), "", door["id"])
    return (1, -number, _suffix_rank(suffix), "", door["id"])  # even side, coming back down


def walking_order(households: list[dict], sector_names: dict[int, str]) -> list[dict]:
    """``households`` as ``letters.selectors.households_for_rounds`` gives them, in walking order;
    each gains ``number``, ``suffix``, ``street`` (as first written) and ``street_key``."""
    streets: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for household in households:
        number, suffix, street = parse_address(household["address_line1"])
        door = {**household, "number": number, "suffix": suffix, "street": street, "street_key": street_key(street)}
        streets[(door["sector_id"], door["street_key"])].append(door)

    def street_order(item):
        (sector_id, key), doors = item
        unused = sum(1 for d in doors if not d["joined"])
        return (search_key(sector_names.get(sector_id, "")), sector_id, -unused, key)

    ordered: list[dict] = []
    for (_sector, _key), doors in sorted(streets.items(), key=street_order):
        name = doors[0]["street"]  # as the first imported household of the street writes it
        for door in doors:
            door["street"] = name
        ordered += sorted((d for d in doors if not d["joined"]), key=_door_key)
        ordered += sorted((d for d in doors if d["joined"]), key=_door_key)
    return ordered
