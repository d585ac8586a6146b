"""The campaign journal reads as sentences (issue 10): every audit code has words, unknown codes too."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from concerto.core.audit import log_action
from concerto.core.journal import ACTS, described
from concerto.core.models import AuditEntry
from concerto.proposals.services import action_propose, action_publish, support_add
from concerto.residents.models import Role
from concerto.residents.services import role_grant

pytestmark = pytest.mark.django_db

CODE_LIKE = re.compile(r"\b(?:campaigns|proposals|residents|letters|selection|volunteers)\.[a-z_]+\.[a-z_]+\b")
ROOT = Path(__file__).resolve().parents[3]


def _journal(client, user, campaign) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard:journal", args=[campaign.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index("<main"):body.index("</main>")]


def test_the_journal_says_what_happened_in_words_with_a_link(client, campaign, organiser_dina, moderator_marc,
                                                              resident_alice):
    moderator_marc.display_name = "Marc Modérateur"
    moderator_marc.save()
    pending = action_propose(user=resident_alice, campaign=campaign, title="Un banc sous le platane",
                             summary="Pour se reposer à l'ombre en montant la colline.")
    action = action_publish(moderator=moderator_marc, campaign=campaign, action_id=pending.pk)
    main = _journal(client, organiser_dina, campaign)
    assert not CODE_LIKE.search(main), CODE_LIKE.search(main)
    assert "Marc Modérateur" in main and "Un banc sous le platane" in main
    assert f'href="{reverse("proposals:detail", args=[campaign.slug, action.pk])}"' in main


def test_roles_and_unknown_codes_read_as_sentences(client, campaign, organiser_dina, resident_bob):
    organiser_dina.display_name = "Dina"
    organiser_dina.save()
    role_grant(by=organiser_dina, campaign=campaign, user=resident_bob, role=Role.MODERATOR)
    # A code some later change adds without words yet: a generic sentence, never the code.
    log_action("campaigns.theme.renamed", actor=organiser_dina, scope=campaign.slug, target="campaigns.campaign:1")
    main = _journal(client, organiser_dina, campaign)
    assert not CODE_LIKE.search(main), CODE_LIKE.search(main)
    assert "Dina" in main and resident_bob.public_name in main
    assert "« sector »" not in main and "moderator</" not in main


def test_residents_own_acts_stay_out_of_the_journal(client, campaign, organiser_dina, resident_alice,
                                                    published_action):
    resident_alice.display_name = "Alice Soutien"
    resident_alice.save()
    support_add(user=resident_alice, action=published_action)
    assert "Alice Soutien" not in _journal(client, organiser_dina, campaign)


def test_every_audit_code_of_the_project_has_its_sentence():
    """Adding ``log_action("x.y.z", …)`` asks for one line in ``core.journal.ACTS``."""
    pattern = re.compile(r"""log_action\(\s*["']([a-z_]+\.[a-z_.]+)["']|["']([a-z_]+\.[a-z_]+\.[a-z_]+)["'] if """
                         r"""|else ["']([a-z_]+\.[a-z_]+\.[a-z_]+)["']""")
    codes = set()
    for path in (ROOT / "concerto").rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            codes.add(next(g for g in match.groups() if g))
    assert len(codes) > 50
    missing = sorted(c for c in codes if c not in ACTS)
    assert not missing, f"Add a sentence for these audit codes in concerto/core/journal.py ACTS: {missing}"


def test_every_sentence_renders_in_both_languages_without_crashing(campaign, organiser_dina):
    entries = [AuditEntry(code=code, actor=organiser_dina, scope=campaign.slug, target="", data={})
               for code in ACTS]
    for language in ("fr", "en"):
        with translation.override(language):
            for line in described(entries):
                assert line.text and "{" not in line.text and not CODE_LIKE.search(line.text)
