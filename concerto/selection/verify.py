#!/usr/bin/env python3
"""Re-check a published fair selection from its file alone: ``python verify.py selection.json``.

Also runnable as ``python -m concerto.selection.verify selection.json``. Standard library only
(json, hashlib, argparse, fractions): anyone can read this file and run it with any Python 3.9+.

This is deliberately an *independent re-implementation* of the checks, not an import of
``concerto.selection.algorithms``: the point of a verifier is that a bug in the code that made the
selection is not repeated in the code that checks it. Keep the two in step by the published
format (``concerto-selection/1``, see docs/selection-algorithm.md), not by sharing code.

What is checked (report in French, exit code 0 when everything holds, 1 otherwise):

1. the pool: format 2 publishes per volunteer a commitment sha256({"features", "id", "salt"}) to all
   their answers (the salt is shown to that volunteer only: ``--my-line``) and their answers in
   ``published_categories`` only where at least ``min_group`` volunteers share the combination;
   ``pool_sha256`` is the sha256 of ``[{"commitment", "id"}]`` sorted by id (canonical JSON: keys
   sorted, no spaces, UTF-8), and every combination of published answers must be shared by at least
   ``min_group`` volunteers. (Format 1, older files: every answer, hashed as ``[{"id", "features"}]``.)
   Quotas are checked as far as the published answers allow, and the report says how far;
2. every published panel has ``panel_size`` distinct people of the pool and meets every quota;
3. the weights are positive integers summing to 10**9, and the distribution's digest matches;
4. each person's selection probability, recomputed exactly (fractions) from the weights, equals
   the published one, and ``lowest`` is the smallest of them;
5. the draw: the random value is the canonical form of the format announced before the draw
   (``meta.random_format``; a value in any other spelling is refused), ticket =
   sha256("<digest>|<random value>") mod 10**9, panel = the first whose cumulative weight exceeds
   the ticket;
6. the reserve order: sha256("<random value>|reserve|<id>") ascending over people not drawn;
7. with ``meta.one_per_household``, no panel holds two volunteers of the same (pseudonymous)
   household of ``meta.households``;
8. the current panel: the drawn panel with the recorded replacements replayed in order (each the
   first available reserve keeping every quota, or the first reserve when none does) equals
   ``meta.current_panel``: a seat cannot disappear or change hands without a record.

``--recompute`` (needs the Concerto code and highspy) recomputes the distribution from the pool and
quotas. Same panels and weights are expected when the published computation was complete and the
versions match; otherwise the check accepts the same lowest probability within 1e-6 (a time limit
can stop a computation at a different point on a different machine) and says so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from datetime import datetime
from fractions import Fraction

FORMAT = "concerto-selection/2"
FORMAT_1 = "concerto-selection/1"  # every answer published; still read, for files published before
WEIGHT_TOTAL = 10**9


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_of(data) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def normalise(value: str) -> str:
    return " ".join(str(value).split())


class Report:
    def __init__(self, out):
        self.out = out
        self.failures = 0

    def ok(self, message: str) -> None:
        print(f"  [OK]     {message}", file=self.out)

    def fail(self, message: str) -> None:
        self.failures += 1
        print(f"  [ÉCHEC]  {message}", file=self.out)

    def info(self, message: str) -> None:
        print(f"  [info]   {message}", file=self.out)

    def check(self, condition: bool, good: str, bad: str) -> bool:
        if condition:
            self.ok(good)
        else:
            self.fail(bad)
        return condition


def canonical_random_value(fmt, raw: str):
    """``(canonical, None)`` or ``(None, reason)``: the value in the announced format, re-implemented
    from docs/selection-algorithm.md (lottery: ASCII digit runs are the numbers, exactly ``count``,
    distinct, in [low, high], ascending joined by "-"; digits: exactly ``length`` ASCII digits, no
    letters; hex: lower case, "0x", whitespace, ":" and "-" removed, exactly ``length`` of 0-9a-f)."""
    if not isinstance(fmt, dict):
        return None, "aucun format annoncé"
    kind = fmt.get("kind")
    text = str(raw)

    def whole(key):
        value = fmt.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    if kind == "lottery":
        count, low, high = whole("count"), whole("low"), whole("high")
        if None in (count, low, high) or not (1 <= count <= 20 and 0 <= low < high <= 10**6
                                               and count <= high - low + 1):
            return None, "format de tirage invalide"
        numbers = [int(run) for run in re.findall(r"[0-9]+", text)]
        if len(numbers) != count:
            return None, f"{len(numbers)} numéros au lieu de {count}"
        if len(set(numbers)) != count:
            return None, "un numéro apparaît deux fois"
        if any(not low <= n <= high for n in numbers):
            return None, f"un numéro hors de [{low}, {high}]"
        return "-".join(str(n) for n in sorted(numbers)), None
    if kind == "digits":
        length = whole("length")
        if length is None or not 1 <= length <= 64:
            return None, "format de chiffres invalide"
        if any(c.isalpha() or (c.isdigit() and c not in "0123456789") for c in text):
            return None, "la valeur contient autre chose que des chiffres"
        digits = "".join(re.findall(r"[0-9]+", text))
        if len(digits) != length:
            return None, f"{len(digits)} chiffres au lieu de {length}"
        return digits, None
    if kind == "hex":
        length = whole("length")
        if length is None or not 8 <= length <= 128:
            return None, "format hexadécimal invalide"
        value = re.sub(r"[\s:\-]+", "", text.strip().lower())
        if value.startswith("0x"):
            value = value[2:]
        if len(value) != length or not re.fullmatch(r"[0-9a-f]+", value):
            return None, f"il faut exactement {length} caractères hexadécimaux"
        return value, None
    return None, f"format inconnu « {kind} »"


def value_of(person: dict, category: str) -> str:
    return str(person.get("features", {}).get(category, "") or "")


def verify(doc: dict, report: Report, *, recompute: bool = False) -> None:
    if not isinstance(doc, dict) or doc.get("format") not in (FORMAT, FORMAT_1):
        report.fail(f"Format inconnu (attendu « {FORMAT} »).")
        return
    meta = doc.get("meta") or {}
    title = meta.get("title") or meta.get("campaign") or ""
    if title:
        report.info(f"Sélection : {title}")

    # 1. The pool.
    pool = doc.get("pool") or []
    ids = [p.get("id") for p in pool]
    people = {p.get("id"): p for p in pool}
    report.check(len(set(ids)) == len(ids) and all(isinstance(i, str) and i for i in ids),
                 f"Vivier : {len(ids)} volontaires, identifiants uniques.",
                 "Vivier : identifiants manquants ou en double.")
    v2 = doc.get("format") == FORMAT
    published_categories = set(doc.get("published_categories") or []) if v2 else None
    if v2:
        # Format 2: each volunteer is a pseudonym, a commitment to all their answers, and their
        # answers in the published (quota) categories only when at least min_group share them.
        entries_ok = all(isinstance(p.get("commitment"), str) and re.fullmatch(r"[0-9a-f]{64}", p["commitment"])
                         and set(p.get("features") or {}) <= published_categories for p in pool)
        report.check(entries_ok,
                     "Vivier : une empreinte par volontaire, réponses publiées seulement pour les catégories annoncées.",
                     "Vivier : empreintes manquantes ou réponses publiées hors des catégories annoncées.")
        commitments = sorted(({"commitment": p.get("commitment"), "id": p.get("id")} for p in pool),
                             key=lambda e: str(e["id"]))
        report.check(sha256_of(commitments) == doc.get("pool_sha256"),
                     f"Empreinte du vivier conforme ({str(doc.get('pool_sha256'))[:16]}…).",
                     "L'empreinte du vivier ne correspond pas : le vivier publié a été modifié.")
        k = doc.get("min_group") or 5
        groups: dict = {}
        for p in pool:
            features = p.get("features") or {}
            key = tuple(sorted(features.items())) if features else None
            groups[key] = groups.get(key, 0) + 1
        small = [n for n in groups.values() if n < k]
        hidden = groups.get(None, 0)
        report.check(not small or len(pool) < k,
                     f"Confidentialité : chaque combinaison de réponses publiées est partagée par au moins {k} "
                     f"volontaires ({len(pool) - hidden} avec réponses publiées, {hidden} avec l'empreinte seule).",
                     f"Confidentialité : {len(small)} combinaison(s) de réponses publiées partagée(s) par moins de "
                     f"{k} volontaires.")
    else:
        canonical_pool = [
            {"id": p["id"], "features": {str(k): str(v) for k, v in sorted((p.get("features") or {}).items())}}
            for p in sorted(pool, key=lambda p: str(p.get("id")))
        ]
        report.check(sha256_of(canonical_pool) == doc.get("pool_sha256"),
                     f"Empreinte du vivier conforme ({str(doc.get('pool_sha256'))[:16]}…).",
                     "L'empreinte du vivier ne correspond pas : le vivier publié a été modifié.")

    # 2. Panels and quotas. With hidden answers a quota is checked as far as the file allows: the
    # published answers must not exceed its maximum, and with the hidden ones could reach its minimum.
    quotas = doc.get("quotas") or []
    size = doc.get("panel_size")
    dist = doc.get("distribution") or {}
    panels = dist.get("panels") or []
    weights = dist.get("weights") or []
    if not isinstance(size, int) or size < 1:
        report.fail("Taille du panel absente ou invalide.")
        return
    bad_panels, partial = [], 0
    for index, panel in enumerate(panels):
        problems = []
        if len(panel) != size or len(set(panel)) != len(panel):
            problems.append(f"{len(set(panel))} personnes distinctes au lieu de {size}")
        unknown = [pid for pid in panel if pid not in people]
        if unknown:
            problems.append(f"inconnus du vivier : {', '.join(map(str, unknown[:3]))}")
        else:
            complete = True
            for q in quotas:
                status, count, hidden_count = quota_status(panel, people, q, published_categories)
                complete = complete and status is not None
                if status is False:
                    problems.append(f"quota « {q['value']} » ({q['category']}) : {count} (+{hidden_count} non "
                                    f"publiés) hors de [{q['min']}, {q['max']}]")
            partial += not complete
        if problems:
            bad_panels.append(f"panel n° {index} : " + " ; ".join(problems))
    report.check(bool(panels) and not bad_panels,
                 f"{len(panels)} panels publiés : chacun compte {size} volontaires du vivier et respecte les {len(quotas)} quotas."
                 if not partial else
                 f"{len(panels)} panels publiés : chacun compte {size} volontaires du vivier ; aucun des {len(quotas)} "
                 f"quotas n'est contredit par les réponses publiées (vérification complète pour {len(panels) - partial} "
                 f"panels, partielle pour {partial}).",
                 "Panels non conformes : " + (" | ".join(bad_panels[:5]) if bad_panels else "aucun panel publié."))
    if v2:
        unchecked = sorted({q["category"] for q in quotas if q["category"] not in published_categories})
        if unchecked:
            report.info("Quotas non vérifiables ici, faute de réponses publiées (confidentialité) : "
                        + ", ".join(unchecked) + ". Chaque volontaire peut vérifier sa propre ligne (--my-line).")
    households = meta.get("households") or {}
    if meta.get("one_per_household"):
        shared = [index for index, panel in enumerate(panels)
                  if len({households[pid] for pid in panel if pid in households})
                  != sum(1 for pid in panel if pid in households)]
        report.check(not shared,
                     f"Un siège par foyer : aucun panel ne compte deux volontaires du même foyer "
                     f"({len(set(households.values()))} foyers à plusieurs volontaires).",
                     "Un siège par foyer non respecté dans les panels n° " + ", ".join(map(str, shared[:10])) + ".")
    report.check(panels == sorted(panels) and all(list(p) == sorted(p) for p in panels)
                 and len({tuple(p) for p in panels}) == len(panels),
                 "Panels triés et distincts (forme canonique).",
                 "Les panels ne sont pas sous forme canonique (triés, distincts).")

    # 3. Weights and digest.
    weights_ok = (
        len(weights) == len(panels)
        and all(isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in weights)
        and sum(weights) == WEIGHT_TOTAL
    )
    report.check(weights_ok,
                 f"Poids : {len(weights)} entiers positifs de somme exactement {WEIGHT_TOTAL}.",
                 f"Poids invalides : il faut un entier positif par panel et une somme de {WEIGHT_TOTAL} "
                 f"(somme trouvée : {sum(w for w in weights if isinstance(w, int))}).")
    digest = sha256_of({"panels": [list(p) for p in panels], "weights": list(weights)})
    report.check(digest == dist.get("digest"),
                 f"Empreinte de la distribution conforme ({digest[:16]}…).",
                 "L'empreinte de la distribution ne correspond pas aux panels et poids publiés.")

    # 4. Selection probabilities.
    if weights_ok:
        exact = dict.fromkeys(ids, Fraction(0))
        for panel, weight in zip(panels, weights):  # noqa: B905 - same length checked; Python 3.9 has no strict=
            for pid in panel:
                exact[pid] = exact.get(pid, Fraction(0)) + Fraction(weight, WEIGHT_TOTAL)
        published = doc.get("marginals") or {}
        wrong = [pid for pid in ids if abs(float(exact[pid]) - float(published.get(pid, -1))) > 1e-12]
        report.check(not wrong and set(published) == set(ids),
                     "Probabilités de sélection recalculées : identiques à celles publiées.",
                     "Probabilités publiées différentes du recalcul pour : " + ", ".join(map(str, wrong[:5])))
        lowest = min(exact.values()) if exact else Fraction(0)
        report.check(abs(float(lowest) - float(dist.get("lowest", -1))) <= 1e-12,
                     f"Probabilité minimale : {float(lowest):.9f} (méthode {dist.get('method')}, "
                     f"{'calcul complet' if dist.get('complete') else 'calcul arrêté par la limite de temps'}).",
                     f"Probabilité minimale publiée ({dist.get('lowest')}) différente du recalcul ({float(lowest):.9f}).")

    # 5. The draw.
    draw = doc.get("draw")
    drawn_panel = None
    if draw is None:
        report.info("Pas encore de tirage publié.")
    elif weights_ok:
        # The value must be the canonical form, in the format announced before the draw: otherwise
        # whoever typed it could have chosen among several spellings of the same result.
        value = str(draw.get("random_value", ""))
        fmt = meta.get("random_format")
        canonical_form, reason = canonical_random_value(fmt, value)
        if fmt:
            report.info(f"Format annoncé de la valeur aléatoire : {json.dumps(fmt, ensure_ascii=False, sort_keys=True)}"
                        f"{', connue le ' + str(meta.get('random_known_at') or meta.get('random_date')) if meta.get('random_known_at') or meta.get('random_date') else ''}.")
        report.check(canonical_form is not None and canonical_form == value,
                     f"Valeur aléatoire « {value} » : forme canonique du format annoncé.",
                     f"Valeur aléatoire « {value} » refusée : "
                     + (reason if canonical_form is None else f"ce n'est pas la forme canonique (« {canonical_form} »)")
                     + ". Sans format annoncé et forme canonique, plusieurs écritures du même résultat donnent "
                       "des panels différents.")
        announced, drawn_at = meta.get("announced_at"), draw.get("drawn_at")
        if announced and drawn_at:
            try:
                before = datetime.fromisoformat(str(announced)) < datetime.fromisoformat(str(drawn_at))
            except ValueError:
                before = False
            report.check(before,
                         "La source et le format ont été annoncés avant le tirage.",
                         "L'annonce de la source est datée après le tirage.")
        ticket = int(hashlib.sha256(f"{digest}|{value}".encode()).hexdigest(), 16) % WEIGHT_TOTAL
        report.check(ticket == draw.get("ticket"),
                     f"Valeur aléatoire « {value} » → ticket {ticket}.",
                     f"Le ticket publié ({draw.get('ticket')}) ne correspond pas à la valeur aléatoire « {value} » (ticket recalculé : {ticket}).")
        cumulative, index = 0, None
        for i, weight in enumerate(weights):
            cumulative += weight
            if cumulative > ticket:
                index = i
                break
        low = cumulative - weights[index] if index is not None else 0
        report.check(index == draw.get("panel_index"),
                     f"Le ticket tombe dans le panel n° {index} (poids cumulés de {low} à {cumulative - 1}).",
                     f"Le panel tiré publié (n° {draw.get('panel_index')}) n'est pas celui que désigne le ticket (n° {index}).")
        if index is not None:
            drawn_panel = panels[index]
            report.check(list(draw.get("panel") or []) == list(drawn_panel),
                         "Le panel publié est bien le panel tiré : " + ", ".join(drawn_panel) + ".",
                         "Le panel publié ne correspond pas au panel tiré.")

    # 6. The reserve list.
    reserve = doc.get("reserve")
    if reserve is not None and drawn_panel is not None:
        value = str(draw.get("random_value", ""))
        rest = sorted(pid for pid in ids if pid not in set(drawn_panel))
        expected = sorted(rest, key=lambda pid: (hashlib.sha256(f"{value}|reserve|{pid}".encode()).hexdigest(), pid))
        report.check(list(reserve) == expected,
                     f"Liste de réserve : ordre recalculé identique ({len(expected)} personnes).",
                     "L'ordre de la liste de réserve ne correspond pas au recalcul.")

    # 7. Changes since the draw: replaying the recorded replacements on the drawn panel must give
    # the current panel; otherwise a seat was removed or given without a record.
    current = meta.get("current_panel")
    if drawn_panel is not None and current is not None:
        value = str(draw.get("random_value", ""))
        rest = sorted(pid for pid in ids if pid not in set(drawn_panel))
        order = sorted(rest, key=lambda pid: (hashlib.sha256(f"{value}|reserve|{pid}".encode()).hexdigest(), pid))
        replay_changes(meta, people, quotas, size, list(drawn_panel), order, report, published_categories)

    if recompute:
        recompute_distribution(doc, report)


def quota_status(panel, people: dict, q: dict, published_categories):
    """``(True | False | None, count, hidden)``: the quota holds, fails, or cannot be decided from
    the published answers (``published_categories`` None: format 1, every answer is published)."""
    if published_categories is not None and q["category"] not in published_categories:
        return None, 0, len(panel)
    hidden = [pid for pid in panel if published_categories is not None and not people[pid].get("features")]
    count = sum(1 for pid in panel if pid not in hidden and q["value"]
                and value_of(people[pid], q["category"]) == q["value"])
    if count > q["max"] or count + len(hidden) < q["min"]:
        return False, count, len(hidden)
    if hidden and not (q["min"] <= count and count + len(hidden) <= q["max"]):
        return None, count, len(hidden)
    return True, count, len(hidden)


def meets_quotas(panel, people: dict, quotas, size: int, published_categories=None, households=None):
    """True, False, or None when the published answers cannot decide."""
    if len(panel) != size or len(set(panel)) != len(panel) or any(pid not in people for pid in panel):
        return False
    if households:
        shared = [households[pid] for pid in panel if pid in households]
        if len(set(shared)) != len(shared):
            return False
    result = True
    for q in quotas:
        status = quota_status(panel, people, q, published_categories)[0]
        if status is False:
            return False
        if status is None:
            result = None
    return result


def replay_changes(meta: dict, people: dict, quotas, size: int, panel: list, reserve: list, report: Report,
                   published_categories=None) -> None:
    """Each recorded replacement, in order: the withdrawn person was on the panel, and the
    replacement is the first reserve (not on the panel, not passed over as withdrawn) whose arrival
    keeps every quota, or, when nobody does, the first reserve (``quotas_kept`` false)."""
    changes = meta.get("replacements") or []
    problems, gone, undecided = [], set(), 0
    for n, change in enumerate(changes, start=1):
        withdrawn, chosen = change.get("withdrawn"), change.get("replacement")
        skipped = set(change.get("skipped") or [])
        if withdrawn not in panel:
            problems.append(f"changement n° {n} : {withdrawn} n'était pas dans le panel")
            continue
        remaining = [pid for pid in panel if pid != withdrawn]
        gone.add(withdrawn)
        if not skipped <= set(reserve):
            problems.append(f"changement n° {n} : personnes écartées hors de la réserve")
        candidates = [c for c in reserve if c not in panel and c not in gone and c not in skipped]
        households = (meta.get("households") or {}) if meta.get("one_per_household") else None
        verdicts = {c: meets_quotas([*remaining, c], people, quotas, size, published_categories, households)
                    for c in candidates}
        keeping = [c for c in candidates if verdicts[c] is True]
        if chosen in verdicts and any(verdicts[c] is None for c in candidates[:candidates.index(chosen) + 1]):
            # Hidden answers: the order is checked, the quotas of this choice only where published.
            undecided += 1
            if verdicts[chosen] is False and change.get("quotas_kept") is not False:
                problems.append(f"changement n° {n} : {chosen} ne respecte pas les quotas publiés")
        elif chosen is None:
            if candidates:
                problems.append(f"changement n° {n} : {withdrawn} n'est pas remplacé·e alors que la réserve "
                                f"n'est pas épuisée ({candidates[0]})")
        elif chosen not in candidates:
            problems.append(f"changement n° {n} : {chosen} ne vient pas de la réserve disponible")
        elif change.get("quotas_kept") is False:
            if keeping:
                problems.append(f"changement n° {n} : {keeping[0]} respectait les quotas et devait remplacer {withdrawn}")
            elif chosen != candidates[0]:
                problems.append(f"changement n° {n} : {candidates[0]} était le premier de la réserve, pas {chosen}")
        elif not keeping or chosen != keeping[0]:
            problems.append(f"changement n° {n} : {keeping[0] if keeping else 'personne'} devait remplacer "
                            f"{withdrawn}, pas {chosen}")
        if chosen is not None:
            if change.get("rank") is not None and chosen in reserve and change.get("rank") != reserve.index(chosen) + 1:
                problems.append(f"changement n° {n} : rang de réserve {change.get('rank')} au lieu de "
                                f"{reserve.index(chosen) + 1}")
            remaining.append(chosen)
        panel = remaining
    if undecided:
        report.info(f"{undecided} remplacement(s) vérifié(s) seulement pour l'ordre de la réserve : les réponses "
                    "nécessaires aux quotas ne sont pas publiées (confidentialité).")
    report.check(not problems,
                 f"Remplacements depuis le tirage : {len(changes)}, chacun conforme à l'ordre de la réserve et aux quotas.",
                 "Remplacements non conformes : " + " | ".join(problems[:5]))
    current = list(meta.get("current_panel") or [])
    report.check(sorted(panel) == sorted(current) and len(set(current)) == len(current),
                 f"Panel actuel ({len(current)} personnes) = panel tiré + remplacements enregistrés.",
                 f"Le panel actuel publié ({len(current)} personnes) ne correspond pas au panel tiré et aux "
                 f"remplacements enregistrés ({len(panel)} personnes attendues : "
                 + ", ".join(sorted(panel)) + ").")
    if meta.get("to_replace"):
        report.info("Désisté·es encore dans le panel, remplacement à décider par les organisateurs : "
                    + ", ".join(map(str, meta["to_replace"])) + ".")


def recompute_distribution(doc: dict, report: Report) -> None:
    try:
        from concerto.selection.algorithms import Person, Quota, find_distribution
    except ImportError as error:  # pragma: no cover - depends on the environment
        report.fail(f"Recalcul impossible : le code de Concerto ou highspy est introuvable ({error}).")
        return
    if doc.get("format") == FORMAT:
        report.info("Recalcul impossible : pour protéger les volontaires, le fichier ne publie pas toutes les "
                    "réponses (format 2). Les organisateurs peuvent le faire à partir du vivier complet.")
        return
    dist = doc.get("distribution") or {}
    people = [Person(p["id"], dict(p.get("features") or {})) for p in doc.get("pool") or []]
    quotas = [Quota(q["category"], q["value"], int(q["min"]), int(q["max"])) for q in doc.get("quotas") or []]
    method = dist.get("method") or "leximin"
    report.info(f"Recalcul de la distribution ({method})…")
    result = find_distribution(people, quotas, int(doc["panel_size"]), method=method, time_limit=600.0)
    same = [list(p) for p in result.panels] == dist.get("panels") and result.weights == dist.get("weights")
    if same:
        report.ok("Recalcul : mêmes panels et mêmes poids.")
        return
    close = abs(result.lowest - float(dist.get("lowest", -1))) <= 1e-6
    report.check(close,
                 f"Recalcul : distribution différente mais même probabilité minimale ({result.lowest:.9f}, à 1e-6 près).",
                 f"Recalcul : probabilité minimale {result.lowest:.9f} au lieu de {dist.get('lowest')}.")


def check_my_line(doc: dict, report: Report, pseudonym: str, salt: str, answers: str) -> None:
    """A volunteer opens their own commitment: the answers the draw used are theirs."""
    entry = next((p for p in doc.get("pool") or [] if p.get("id") == pseudonym), None)
    if entry is None:
        report.fail(f"Votre pseudonyme {pseudonym} n'est pas dans le vivier publié.")
        return
    features = json.loads(answers)
    expected = sha256_of({"features": {str(k): str(v) for k, v in features.items()}, "id": pseudonym, "salt": salt})
    shown = entry.get("features") or {}
    report.check(expected == entry.get("commitment") and all(features.get(k) == v for k, v in shown.items()),
                 f"Votre ligne ({pseudonym}) : l'empreinte publiée correspond bien à vos réponses.",
                 f"Votre ligne ({pseudonym}) : l'empreinte publiée ne correspond pas à ces réponses et à cette clé.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Vérifie une sélection publiée par Concerto.")
    parser.add_argument("file", help="le fichier publié (selection.json)")
    parser.add_argument("--recompute", action="store_true",
                        help="recalcule aussi la distribution (nécessite Concerto et highspy)")
    parser.add_argument("--my-line", nargs=3, metavar=("PSEUDONYME", "CLÉ", "RÉPONSES"),
                        help="vérifie aussi votre propre ligne : votre pseudonyme, la clé secrète et les réponses "
                             "(JSON) affichées sur votre page")
    args = parser.parse_args(argv)
    out = sys.stdout
    print(f"Vérification de {args.file}", file=out)
    try:
        with open(args.file, encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError) as error:
        print(f"  [ÉCHEC]  Fichier illisible : {error}", file=out)
        return 1
    report = Report(out)
    try:
        verify(doc, report, recompute=args.recompute)
        if args.my_line:
            check_my_line(doc, report, *args.my_line)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        report.fail(f"Fichier mal formé : {error!r}")
    if report.failures:
        print(f"Résultat : {report.failures} vérification(s) en échec.", file=out)
        return 1
    print("Résultat : tout est conforme.", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
