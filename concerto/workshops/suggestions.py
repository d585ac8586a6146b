"""Theme suggestions for the wall, computed locally: no network, no model, no randomness.

What it does, in order:

1. Each idea's text is cut into words, lower-cased and stripped of accents (``search_key``), French
   stop words and words of fewer than three letters are dropped, and each word is reduced to a
   light stem (plural ``-s``/``-x``, common endings such as ``-ement``, ``-ation``, ``-age``,
   ``-er``), then mapped through a small civic lexicon so that « se garer », « parking » and
   « stationnement » count as one term (``SAME_AS``).
2. Ideas become TF-IDF vectors (the IDF over every idea of the wall, grouped ones included).
3. An ungrouped idea close enough to an existing theme (cosine with the sum of that theme's ideas
   and its name, ``THEME_MIN_SIMILARITY``) is suggested for that theme.
4. The other ungrouped ideas are grouped by average-link agglomerative clustering (merge the two
   closest groups while their average cosine is at least ``GROUP_MIN_SIMILARITY``); groups of two
   ideas or more become suggestions of a new theme, named after their most shared term: the lexicon's
   name for it (« Éclairage », ``CONCEPT_NAMES``), else its most frequent written form,
   capitalised (« Marché »).

Everything is sorted (ids, then terms), so the same wall gives the same suggestions. The clustering
is cubic in the number of ungrouped ideas (about half a second for 150 on one core): at most
``MAX_IDEAS`` of them are considered (the oldest first), far more than a room of a dozen people
writes, and ``selectors.theme_suggestions`` caches the result per wall version.
"""

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from concerto.core.text import search_key

MAX_IDEAS = 150
GROUP_MIN_SIMILARITY = 0.08
THEME_MIN_SIMILARITY = 0.19

# Function words, and words that say nothing about a topic ("il faudrait plus de…") or name a kind of
# place rather than a topic (« rue », « parc », « place » link unrelated ideas).
_STOP_WORDS_TEXT = """
a afin ai aie aient aies ait alors as au aucun aucune aupres aussi autre autres aux avant avec avez avoir
avons ayant bah beaucoup bien bon bonne c ca car ce ceci cela celle celles celui cependant certain certaines
certains ces cet cette ceux chaque chez ci comme comment d dans de dedans dehors depuis des deux devant doit
doivent donc dont du elle elles en encore entre es est et etaient etait etant ete etre eu eux faire fait
faudrait faut font fois ici il ils j je jamais jusqu l la le les leur leurs lui m ma mais me meme memes mes
moi moins mon n ne ni nos notre nous on ont ou par parce pas peu peut peuvent plus plusieurs pour pourquoi
pourrait pouvoir quand que quel quelle quelles quels qui quoi s sa sans se sera serait ses si sien soit sommes
son sont sous souvent sur t ta te tes toi ton tous tout toute toutes tres trop tu un une unes uns va vers
veut voir vont vos votre vous y avoir etre mettre mis mise remettre rendre besoin manque manquent
il_y_a chose choses gens endroit quartier ville peu vraiment souhaite aimerait propose proposer pense
assez tjrs toujours jour jours soir soirs matin aller venir creer ajouter installer installe installes
rue rues parc parcs place places square avenue allee allees chemin pres devant derriere cote long
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Endings removed by the light stemmer, longest first (on accent-free, lower-case words).
ENDINGS = ("issements", "issement", "ements", "ement", "ations", "ation", "ateurs", "ateur", "atrices",
           "atrice", "ages", "age", "euses", "euse", "eurs", "eur", "ables", "able", "iques", "ique",
           "istes", "iste", "ites", "ite", "ees", "ee", "er", "es", "e")
MIN_STEM = 4

# Words the room uses for the same thing, stem → the stem they count as (a civic lexicon, small on
# purpose: it helps the obvious cases and never claims more).
SAME_AS = {
    "gar": "stationn", "parking": "stationn", "garag": "stationn",
    "lampadair": "eclair", "lumier": "eclair", "lampe": "eclair", "noir": "eclair", "eclairag": "eclair",
    "eclaire": "eclair", "sombr": "eclair",
    "assis": "banc", "assise": "banc", "asseoir": "banc",
    "ecoli": "ecol", "scolair": "ecol", "eleve": "ecol",
    "velo": "cycl", "cyclabl": "cycl", "cyclist": "cycl", "pist": "cycl",
    "vitess": "vit", "rapid": "vit", "ralentiss": "vit", "ralentir": "vit", "dos-d-ane": "vit",
    "poubell": "propr", "dechet": "propr", "sal": "propr", "net": "propr", "ordur": "propr",
    "arbr": "vert", "verdur": "vert", "plant": "vert", "fleur": "vert", "ombr": "vert", "jardin": "vert",
    "bus": "transport", "tram": "transport", "navet": "transport", "ligne": "transport",
}

# The name a lexicon term gets as a theme (« Éclairer », « lampadaires » → « Éclairage »).
CONCEPT_NAMES = {"stationn": "Stationnement", "eclair": "Éclairage", "banc": "Bancs", "ecol": "École",
                 "cycl": "Vélo", "vit": "Vitesse", "propr": "Propreté", "vert": "Verdure",
                 "transport": "Transports en commun"}

# Whole words the stemmer would get wrong (« garées » is not « gare »).
SAME_WORD = {"garee": "stationn", "garees": "stationn", "gares": "gare", "garent": "stationn",
             "garer": "stationn", "garez": "stationn", "garons": "stationn", "nuit": "eclair", "nuits": "eclair"}

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SURFACE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _light_stem(word: str) -> str:
    """Plural and common endings off an accent-free, lower-case word ('stationnements' → 'stationn')."""
    if len(word) > 4 and word.endswith("aux"):
        word = word[:-3] + "al"
    elif len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def stem(word: str) -> str:
    """The term a word counts as: its light stem, through the lexicon ('parking' → 'stationn')."""
    if word in SAME_WORD:
        return SAME_WORD[word]
    light = _light_stem(word)
    return SAME_AS.get(light, light)


def terms(text: str) -> list[str]:
    """The significant terms of a text, in order (repeats kept: they weigh in TF-IDF)."""
    out = []
    for word in _WORD.findall(search_key(text)):
        if len(word) < 3 or word.isdigit() or word in STOP_WORDS:
            continue
        out.append(stem(word))
    return out


def _surfaces(text: str) -> list[tuple[str, str, bool]]:
    """(term, written form, written as the term itself) triples: how a term is written, to name a theme in the room's own words."""
    pairs = []
    for word in _SURFACE.findall(text.lower()):
        plain = search_key(word)
        if len(plain) < 3 or plain in STOP_WORDS:
            continue
        pairs.append((stem(plain), word, _light_stem(plain) == stem(plain)))
    return pairs


@dataclass(frozen=True)
class Suggestion:
    """Put ``idea_ids`` into a new theme called ``name``, or into the existing ``theme_id``."""

    name: str
    idea_ids: tuple[int, ...]
    theme_id: int | None = None
    terms: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """A short stable name of this suggestion (for "ignore"): its target and its ideas."""
        raw = f"{self.theme_id or 'new'}:{','.join(map(str, sorted(self.idea_ids)))}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    @property
    def is_new_theme(self) -> bool:
        return self.theme_id is None


def _vectors(docs: dict[int, list[str]], corpus: list[list[str]]) -> dict[int, dict[str, float]]:
    df = Counter(t for doc in corpus for t in set(doc))
    n = max(1, len(corpus))
    out = {}
    for key, doc in docs.items():
        tf = Counter(doc)
        vec = {t: c * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out[key] = {t: v / norm for t, v in vec.items()}
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _normed_sum(vectors: list[dict[str, float]]) -> dict[str, float]:
    total: Counter = Counter()
    for vec in vectors:
        total.update(vec)
    norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
    return {t: v / norm for t, v in total.items()}


def _cluster(ids: list[int], vectors: dict[int, dict[str, float]]) -> list[list[int]]:
    """Average-link agglomerative clustering; ties broken by the smallest ids (deterministic).

    The similarity of a merged group to the others is updated in place (Lance–Williams: the
    size-weighted mean of its two parts' similarities), so nothing is recomputed from the ideas."""
    clusters: dict[int, list[int]] = {i: [i] for i in ids}
    sim: dict[int, dict[int, float]] = {a: {} for a in ids}
    for n, a in enumerate(ids):
        for b in ids[n + 1:]:
            sim[a][b] = sim[b][a] = _cosine(vectors[a], vectors[b])
    while len(clusters) > 1:
        best, pair = GROUP_MIN_SIMILARITY, None
        for a in sorted(clusters):
            for b, s in sim[a].items():
                if b > a and s > best + 1e-12:
                    best, pair = s, (a, b)
        if pair is None:
            break
        a, b = pair
        na, nb = len(clusters[a]), len(clusters[b])
        for k in clusters:
            if k not in (a, b):
                sim[a][k] = sim[k][a] = (na * sim[a][k] + nb * sim[b][k]) / (na + nb)
        clusters[a] = sorted(clusters[a] + clusters.pop(b))
        for k in sim.pop(b):
            sim[k].pop(b, None)
        sim[a].pop(b, None)
    return [clusters[k] for k in sorted(clusters)]


def _name(members: list[int], docs: dict[int, list[str]], surfaces: dict[int, list[tuple[str, str, bool]]],
          vectors: dict[int, dict[str, float]]) -> tuple[str, tuple[str, ...]]:
    """The term most ideas of the group share (then the heaviest), in its most frequent written form."""
    coverage = Counter(t for m in members for t in set(docs[m]))
    weight = Counter()
    for m in members:
        weight.update(vectors[m])
    ranked = sorted(coverage, key=lambda t: (-coverage[t], -weight[t], t))
    top = ranked[0]
    if top in CONCEPT_NAMES:
        return CONCEPT_NAMES[top], tuple(ranked[:3])
    # « stationnement » rather than « parking » when both are written: the form that is the term
    # itself (not reached through the lexicon) first, then the most frequent, then the shortest.
    forms = Counter((not direct, form) for m in members for t, form, direct in surfaces[m] if t == top)
    written = sorted(forms, key=lambda f: (f[0], -forms[f], len(f[1]), f[1]))[0][1] if forms else top
    return written[:1].upper() + written[1:], tuple(ranked[:3])


def suggest(ideas: list[tuple[int, str]], themes: list[tuple[int, str, list[str]]], *,
            others: list[str] = (), dismissed=frozenset()) -> list[Suggestion]:
    """Suggestions for the ungrouped ``ideas`` ((id, text) pairs).

    ``themes``: (id, name, texts of its ideas) of the existing themes; ``others``: texts of the
    wall's other ideas (for the IDF); ``dismissed``: keys of ignored suggestions, left out.
    Existing-theme suggestions come first (in theme order), then new themes (largest first)."""
    ideas = sorted(ideas)[:MAX_IDEAS]
    docs = {i: terms(text) for i, text in ideas}
    surfaces = {i: _surfaces(text) for i, text in ideas}
    theme_docs = {t: terms(name) + [w for text in texts for w in terms(text)] for t, name, texts in themes}
    corpus = list(docs.values()) + [terms(t) for _t, _n, texts in themes for t in texts] + [terms(t) for t in others]
    vectors = _vectors({**docs, **{-t: d for t, d in theme_docs.items()}}, corpus)
    theme_vectors = {t: vectors[-t] for t in theme_docs if theme_docs[t]}
    idea_vectors = {i: vectors[i] for i in docs}

    suggestions: list[Suggestion] = []
    to_theme: dict[int, list[int]] = {}
    for i, _text in ideas:
        if not docs[i]:
            continue
        scored = sorted(((_cosine(idea_vectors[i], v), -pos, t) for pos, (t, v) in
                         enumerate(theme_vectors.items())), reverse=True)
        if scored and scored[0][0] >= THEME_MIN_SIMILARITY:
            to_theme.setdefault(scored[0][2], []).append(i)
    names = {t: name for t, name, _texts in themes}
    for t in names:
        if t in to_theme:
            suggestions.append(Suggestion(name=names[t], idea_ids=tuple(to_theme[t]), theme_id=t))

    placed = {i for members in to_theme.values() for i in members}
    rest = [i for i, _text in ideas if i not in placed and docs[i]]
    taken_names = {search_key(n) for n in names.values()}
    for members in sorted(_cluster(rest, idea_vectors), key=lambda c: (-len(c), c)):
        if len(members) < 2:
            continue
        name, top_terms = _name(members, docs, surfaces, idea_vectors)
        if search_key(name) in taken_names:
            continue  # such a theme exists: its ideas did not match it closely enough to say so
        taken_names.add(search_key(name))
        suggestions.append(Suggestion(name=name, idea_ids=tuple(members), terms=top_terms))
    return [s for s in suggestions if s.key not in dismissed]
