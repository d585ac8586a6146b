"""Privacy of supporters: candidates receive aggregates only. A campaign with identifiable
residents (distinctive names, e-mails, addresses, letter codes, supports) goes through generation
and dispatch; none of their personal data reaches a candidate by any path: the dossier's PDF text,
its HTML twin, the e-mail, the download page, « Mon dossier », the public pages and the API."""

import re
import subprocess

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse

from concerto.campaigns.models import Sector
from concerto.letters.codes import new_code
from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.proposals.services import support_add
from concerto.residents.models import Role
from concerto.synthesis import services
from concerto.synthesis.models import Document
from conftest import make_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/synthese/dossier/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def identifiable(campaign, actions):
    """Six residents who can be told apart: each with a household, a letter code used, and a
    support for the first action; two of them also support the second action (a group under 5)."""
    sector = Sector.objects.create(campaign=campaign, code="impasse-mysteres", name="Îlot Zorglub")
    secrets = []
    for i in range(6):
        name = f"Zébulon Quasimodo-Trifouillis{i}"
        email = f"zebulon.trifouillis{i}@vie-privee.example"
        user = make_user(email, campaign=campaign, role=Role.RESIDENT, name=name)
        address = f"{17 + i} impasse des Mystères Cachés"
        household = Household.objects.create(campaign=campaign, address_line1=address, postcode="13013",
                                             city="Marseille", sector=sector, key=f"mysteres-{i}")
        code = InvitationCode.objects.create(campaign=campaign, household=household, code=new_code())
        CodeUse.objects.create(code=code, user=user)
        support_add(user=user, action=actions[0])
        if i < 2:
            support_add(user=user, action=actions[1])
        secrets += [name, f"Trifouillis{i}", email, address, code.code, "Mystères Cachés", "Zorglub"]
    return secrets


def _pdf_text(document) -> str:
    with default_storage.open(document.file.name, "rb") as fh:
        data = fh.read()
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)  # noqa: S603, S607
    return out.stdout.decode()


def _leaks(text: str, secrets: list[str]) -> list[str]:
    flat = " ".join(text.split())
    return [s for s in secrets if s.lower() in flat.lower()]


def test_no_personal_data_reaches_a_candidate_by_any_path(client, campaign, organiser_dina, held_show, candidates,
                                                          candidate_claire, actions, identifiable):
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.documents_generate(by=organiser_dina, campaign=campaign)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.dossiers_send(by=organiser_dina, campaign=campaign, base_url="http://testserver/")
    texts: dict[str, str] = {}
    for document in Document.objects.filter(campaign=campaign):
        assert document.status == "ready", document.error
        texts[f"pdf {document}"] = _pdf_text(document)
        texts[f"content {document}"] = str(document.content)
    for message in mail.outbox:
        texts[f"mail to {message.to}"] = f"{message.subject}\n{message.body}\n{message.extra_headers}"
        token = LINK.search(message.body).group(1)
        texts[f"download {message.to}"] = client.get(
            reverse("synthesis:dossier_download", args=[campaign.slug, token])).content.decode()
    client.force_login(candidate_claire)
    texts["my dossier"] = client.get(reverse("synthesis:my_dossier", args=[campaign.slug])).content.decode()
    mine = Document.objects.filter(candidate=candidates[0]).first()
    texts["html twin"] = client.get(reverse("synthesis:document_html", args=[campaign.slug, mine.pk])).content.decode()
    client.logout()
    texts["plan page"] = client.get(reverse("synthesis:plan", args=[campaign.slug])).content.decode()
    texts["dispatch log"] = client.get(reverse("synthesis:dispatch_log", args=[campaign.slug])).content.decode()
    for path in ("documents", "dispatches"):
        texts[f"api {path}"] = client.get(f"/api/v1/campaigns/{campaign.slug}/synthesis/{path}").content.decode()
    assert len(texts) >= 20
    for where, text in texts.items():
        assert not _leaks(text, identifiable), f"personal data in {where}: {_leaks(text, identifiable)}"
    # The aggregates are there: six supports online for the first action, the pair hidden.
    plan = Document.objects.get(campaign=campaign, kind="plan").content
    first, second = plan["themes"][0]["actions"][0], plan["themes"][0]["actions"][1]
    assert ["Online", "6"] in first["channels"] or ["En ligne", "6"] in first["channels"]
    assert all("5" in value for _label, value in second["channels"] if value != "0")
    assert not any(value == "2" for _label, value in second["channels"])
