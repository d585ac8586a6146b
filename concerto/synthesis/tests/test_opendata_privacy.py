"""No personal data of residents in any public result: a campaign with identifiable residents
(distinctive names, e-mails, addresses, letter codes) whose traces are everywhere (a proposal, a
support, a comment, a workshop idea, an action presented on the set), and none of them appears in
the positions page, the data card, any file of the package, the zip or the API answers."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.letters.models import Household, InvitationCode
from concerto.proposals import services as proposal_services
from concerto.proposals.models import Channel, Theme
from concerto.synthesis import opendata
from concerto.workshops.models import Attendee, Idea, Workshop
from conftest import make_user

pytestmark = pytest.mark.django_db

NAME, SURNAME = "Zéphyrine", "Quillebœuf"
EMAIL = "zephyrine.quilleboeuf@courriel-prive.test"
ADDRESS, POSTCODE = "17 impasse des Hirondelles Cachées", "13999"
CODE = "QZXW7788K"
ATTENDEE, ATTENDEE_EMAIL, ATTENDEE_ADDRESS = "Barnabé Vrillechat", "barnabe.vrillechat@maison.test", "3 allée Tortueuse"
PRESENTER = "Gontrande Pépinière"
SECRETS = [SURNAME, "Quilleboeuf", "quilleboeuf", EMAIL, "courriel-prive", "Hirondelles", POSTCODE, CODE,
           "Vrillechat", "vrillechat", "maison.test", "Tortueuse", "Gontrande", "Pépinière"]
FORBIDDEN_COLUMNS = {"user", "user_id", "author", "author_id", "email", "e-mail", "address", "name_consent",
                     "presenter", "code", "created_by", "decided_by", "recorded_by"}


@pytest.fixture
def identified(held_show, actions, moderator_marc):
    campaign = held_show.campaign
    zephyrine = make_user(EMAIL, name=f"{NAME} {SURNAME}")
    from concerto.residents.services import resident_join
    resident_join(user=zephyrine, campaign=campaign)
    household = Household.objects.create(campaign=campaign, name=f"Famille {SURNAME}", address_line1=ADDRESS,
                                         postcode=POSTCODE, city="Aix-en-Provence", key="k-zq")
    InvitationCode.objects.create(campaign=campaign, household=household, code=CODE)
    theme = Theme.objects.get(campaign=campaign, slug="mobilite")
    proposed = proposal_services.action_propose(
        user=zephyrine, campaign=campaign, title="Des bancs à l’ombre près du marché",
        summary="Quelques bancs sous les platanes pour se reposer les jours de marché.", theme_id=theme.pk)
    proposal_services.action_publish(moderator=moderator_marc, campaign=campaign, action_id=proposed.pk)
    proposal_services.support_add(user=zephyrine, action=actions[0], channel=Channel.ONLINE)
    proposal_services.comment_add(user=zephyrine, action=actions[0], body=f"Signé {NAME} {SURNAME}, {ADDRESS}")
    now = timezone.now()
    workshop = Workshop.objects.create(campaign=campaign, number=1, title="Atelier mobilité", starts_at=now - timedelta(hours=2),
                                       ends_at=now, place="Centre social")
    attendee = Attendee.objects.create(workshop=workshop, name=ATTENDEE, email=ATTENDEE_EMAIL,
                                       postal_address=ATTENDEE_ADDRESS, source="panel", name_consent=True)
    Idea.objects.create(workshop=workshop, attendee=attendee, prompt="idea", text="Plus de pistes cyclables.")
    held_show.items.filter(position=1).update(presenter=PRESENTER)
    return campaign


def _outputs(client, campaign) -> dict[str, bytes]:
    slug = campaign.slug
    out = {}
    for view, args, params in [
        ("synthesis:positions", [slug], {}), ("synthesis:positions", [slug], {"position": "no_answer"}),
        ("synthesis:positions_csv", [slug], {}), ("synthesis:positions_json", [slug], {}),
        ("synthesis:opendata", [slug], {}), ("synthesis:opendata_package", [slug], {}),
        ("synthesis:opendata_readme", [slug], {}), ("synthesis:opendata_popolo", [slug], {}),
    ]:
        response = client.get(reverse(view, args=args), params)
        assert response.status_code == 200, view
        out[f"{view} {params}"] = response.content
    files = opendata.package_files(campaign)
    for name in files:
        if name.endswith(".csv"):
            out[name] = client.get(reverse("synthesis:opendata_csv", args=[slug, name[:-4]])).content
        out[f"api {name}"] = client.get(f"/api/v1/campaigns/{slug}/opendata/{name}").content
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("synthesis:opendata_zip", args=[slug])).content))
    for name in archive.namelist():
        out[f"zip {name}"] = archive.read(name)
    out["api zip"] = client.get(f"/api/v1/campaigns/{slug}/opendata/datapackage.zip").content
    out["api positions"] = client.get(f"/api/v1/campaigns/{slug}/positions").content
    out["api positions.csv"] = client.get(f"/api/v1/campaigns/{slug}/positions.csv").content
    return out


def test_no_personal_data_in_any_public_result(client, identified):
    outputs = _outputs(client, identified)
    # The traces are there: the proposal, the idea and the support are counted or shown, anonymously.
    assert "Des bancs à l’ombre".encode() in outputs["contributions.csv"]
    assert b"Plus de pistes cyclables." in outputs["workshop_ideas.csv"]
    for where, data in outputs.items():
        if where.endswith("zip"):
            data = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
        text = data.decode("utf-8-sig")
        for secret in SECRETS:
            assert secret.lower() not in text.lower(), f"{secret!r} in {where}"


def test_no_column_can_hold_a_person(identified):
    for resource in opendata.build_resources(identified):
        assert not {f[0] for f in resource.fields} & FORBIDDEN_COLUMNS, resource.name
    assert not {f[0] for f in opendata.POSITION_FIELDS} & FORBIDDEN_COLUMNS
