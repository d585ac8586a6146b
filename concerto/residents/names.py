"""Public names: what displays as blank, and a confusable skeleton to compare names by look.

The skeleton follows the idea of Unicode TR39 (``skeleton(a) == skeleton(b)`` when a and b
look alike): compatibility decomposition (NFKD folds full-width and mathematical letters,
ligatures, ``ſ``), the look-alike table below (Cyrillic, Greek, Armenian and a few Latin letters
that pass for ASCII letters; ``l``, ``I``, ``1`` and ``|`` pass for one another, ``0`` for ``o``), case folding,
marks stripped (``é`` is ``e``), ``m`` as ``rn``, and only letters and digits kept, so spacing,
punctuation and invisible characters cannot tell two names apart. It is a small vendored table,
not the full ``confusables.txt``: the pypi packages found either give no skeleton function
(confusable-homoglyphs) or are unmaintained, and the scripts that matter here are covered.
Pure functions, no database.
"""

import re
import unicodedata

# Characters that draw nothing although Unicode does not class them as spaces or format
# characters: Hangul fillers, the blank Braille pattern, Khmer inherent vowels, musical spacing
# symbols, the combining grapheme joiner, the Mongolian vowel separator.
FILLERS = frozenset(
    "\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u034f\u180e"
    + chr(0x1D159) + "".join(chr(c) for c in range(0x1D173, 0x1D17B))
)

# Look-alikes of ASCII letters and digits, looked up before case folding (upper case entries) and
# after it (lower case entries).
_LOOKALIKES = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "i",
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԛ": "q", "ԝ": "w", "ӏ": "i",
    "һ": "h", "ԁ": "d", "ɡ": "g", "г": "r", "п": "n", "ь": "b", "ү": "y", "ѵ": "v", "ԍ": "g",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "η": "n", "ϲ": "c", "ϳ": "j",
    # Armenian
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "զ": "q", "ա": "w", "Տ": "S", "Օ": "O",
    # Latin letters that pass for others
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɩ": "i", "ɪ": "i", "ʏ": "y", "ɴ": "n", "ʀ": "r", "ᴀ": "a",
    "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ᴋ": "k", "ᴍ": "m", "ᴏ": "o", "ᴘ": "p", "ᴛ": "t", "ᴜ": "u",
    "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l",
    "ħ": "h",
    # l, capital I, one and vertical bar all pass for one another (folded to i, so case folding
    # keeps "CLAIRE" equal to "Claire"); zero for o
    "l": "i", "1": "i", "|": "i", "0": "o",
}
_TABLE = str.maketrans(_LOOKALIKES)


def visible_characters(name: str) -> list[str]:
    """The characters of ``name`` that draw something: letters, digits, punctuation, symbols."""
    return [ch for ch in name if unicodedata.category(ch)[0] in "LNPS" and ch not in FILLERS]


def displays_blank(name: str) -> bool:
    """True when ``name`` shows no letter or digit: only spaces, format, filler or mark characters,
    or only punctuation."""
    return not any(unicodedata.category(ch)[0] in "LN" for ch in visible_characters(name))


def without_fillers(name: str) -> str:
    return " ".join("".join(ch for ch in name if ch not in FILLERS).split())


def skeleton(text: str) -> str:
    """Letters and digits of ``text`` as they look: equal skeletons mean names that look alike."""
    text = unicodedata.normalize("NFKD", text).translate(_TABLE).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.translate(_TABLE).replace("m", "rn")
    return "".join(ch for ch in text if ch.isalnum() and ch not in FILLERS)


def skeleton_words(text: str) -> list[str]:
    """The skeleton of each word of ``text`` (words split on anything but letters and digits)."""
    words = re.split(r"[^\w]+|_", unicodedata.normalize("NFKC", text))
    return [s for s in (skeleton(w) for w in words) if s]


# Words that claim a role on the platform: "Claire, organisatrice", "Jean (modérateur)",
# "Liste …", "la mairie". Long, unambiguous stems match as prefixes (modérat·rice, candidates);
# shorter words only whole, so first names such as Animata or Elsa stay free.
_ROLE_STEMS = ["organisat", "organizat", "moderat", "ambassad", "candidat", "represent", "administrat",
               "facilitat", "conseill"]
_ROLE_WORDS = ["animateur", "animatrice", "animation", "organiser", "organizer", "admin", "staff", "mairie",
               "liste", "elu", "elue", "equipe", "team", "concerto", "officiel", "officielle", "official"]
ROLE_STEMS = tuple(skeleton(w) for w in _ROLE_STEMS)
ROLE_WORDS = frozenset(skeleton(w) for w in _ROLE_WORDS)


def claims_a_role(name: str) -> bool:
    for word in skeleton_words(name):
        if word.startswith(ROLE_STEMS) or word in ROLE_WORDS or word.rstrip("s") in ROLE_WORDS:
            return True
    return False


# The names given to residents who chose none ("Habitant·e n°5", "Resident #5"), in any spelling.
_DEFAULT_NAME = re.compile(
    "^(?:" + "|".join(skeleton(w) for w in ("habitant", "habitante", "resident", "residente", "user",
                                            "utilisateur", "utilisatrice", "participant", "participante"))
    + ")(?:e|s)*(?:" + "|".join(skeleton(w) for w in ("n", "no", "num", "numero", "number", "nr"))
    + ")?[0-9io]+$"
)


def is_default_name(name: str) -> bool:
    return bool(_DEFAULT_NAME.match(skeleton(name)))
