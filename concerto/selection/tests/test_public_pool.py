"""The public pool hides what could re-identify volunteers (issue 8, F8): only quota categories,
never talents, answers only for groups of at least 5, a commitment each volunteer can open."""

import json
from collections import Counter

from django.urls import reverse

from concerto.selection import services, verify
from concerto.selection.algorithms import Person, Quota, public_pool

from .factories import drawn_selection, make_pool


def test_public_pool_keeps_groups_of_five_and_no_talent():
    people = [Person(f"V-{n:03d}", {"sector": "nord" if n % 2 else "sud", "age": ["a", "b", "c"][n % 3],
                                    "genre": "f" if n % 4 < 2 else "h", "talent:dessin": "oui" if n % 5 else "non",
                                    "numerique": "oui"})
              for n in range(23)]
    quotas = [Quota("sector", "nord", 1, 3), Quota("age", "a", 1, 2), Quota("genre", "f", 1, 3),
              Quota("talent:dessin", "oui", 1, 4)]
    entries, categories = public_pool(people, quotas, {p.id: "sel" for p in people})
    assert set(categories) <= {"sector", "age", "genre"}
    groups = Counter(tuple(sorted(e["features"].items())) for e in entries)
    assert min(groups.values()) >= 5
    assert all(set(e["features"]) <= set(categories) for e in entries)
    assert len({e["commitment"] for e in entries}) == len(entries)


def _document(client, campaign, selection):
    return client.get(reverse("selection:audit_json", args=[campaign.slug, selection.pk])).json()


def test_volunteers_see_their_own_key_and_can_check_their_line(client, campaign, organiser_dina, tmp_path,
                                                               capsys):
    volunteers = make_pool(campaign, 12)
    selection = drawn_selection(campaign, organiser_dina)
    document = _document(client, campaign, selection)
    assert not any("talent:" in c for p in document["pool"] for c in p["features"])
    groups = Counter(tuple(sorted(p["features"].items())) for p in document["pool"])
    assert min(groups.values()) >= 5
    salt = next(p["salt"] for p in selection.pool if p["id"] == volunteers[0].pseudonym)
    url = reverse("selection:detail", args=[campaign.slug, selection.pk])
    assert salt not in client.get(url).content.decode()  # not to the public
    client.force_login(volunteers[1].user)
    assert salt not in client.get(url).content.decode()  # nor to another volunteer
    client.force_login(volunteers[0].user)
    assert salt in client.get(url).content.decode()

    path = tmp_path / "selection.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    features = json.dumps(next(p["features"] for p in selection.pool if p["id"] == volunteers[0].pseudonym))
    assert verify.main([str(path), "--my-line", volunteers[0].pseudonym, salt, features]) == 0
    capsys.readouterr()
    wrong = json.dumps({**json.loads(features), "age": "autre"})
    assert verify.main([str(path), "--my-line", volunteers[0].pseudonym, salt, wrong]) == 1
    assert "ne correspond pas" in capsys.readouterr().out


def test_migration_gives_old_pools_salts_and_the_commitments_hash(campaign, organiser_dina):
    import importlib

    from django.apps import apps

    from concerto.selection.models import Selection

    from .factories import computed_selection

    make_pool(campaign, 12)
    selection = computed_selection(campaign, organiser_dina)
    old_pool = [{"id": p["id"], "features": p["features"]} for p in selection.pool]
    Selection.objects.filter(pk=selection.pk).update(pool=old_pool, pool_sha256="x" * 64)
    importlib.import_module("concerto.selection.migrations.0004_pool_salts").add_salts(apps, None)
    selection.refresh_from_db()
    assert all(len(p["salt"]) == 32 for p in selection.pool)
    assert selection.pool_sha256 == services.pool_commitments_digest(selection.pool)
