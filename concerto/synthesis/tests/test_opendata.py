"""Public results and open data: the positions page and its exports, the data package (validated
with frictionless), Popolo, the API giving the same bytes, and no personal data anywhere."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from frictionless import Package

from concerto.proposals.models import Channel, Support
from concerto.synthesis import opendata, services
from concerto.synthesis.models import (
    Amendment,
    AmendmentSource,
    AmendmentStatus,
    Commitment,
    CommitmentStatus,
    ElectedList,
)

pytestmark = pytest.mark.django_db


def _rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def realistic(held_show, organiser_dina, candidates, actions, resident_alice, resident_bob):
    """The held show plus versions, decided amendments, supports and commitments (rows made directly
    where no service exists yet)."""
    campaign = held_show.campaign
    now = timezone.now()
    first = candidates[0]
    amendment = Amendment.objects.create(
        campaign=campaign, action=actions[0], candidate=first, source=AmendmentSource.LIVE,
        text="Ajouter un éclairage du passage la nuit.", quote_exact="Action numéro 1",
        status=AmendmentStatus.ACCEPTED, decision_reason="Bonne idée, retenue telle quelle.", decided_by=organiser_dina,
        decided_at=now, created_at=now - timedelta(hours=2))
    Amendment.objects.create(
        campaign=campaign, action=actions[1], candidate=candidates[2], source=AmendmentSource.WRITTEN,
        text="Supprimer l’action.", status=AmendmentStatus.DECLINED,
        decision_reason="Contraire à ce que les habitants ont voté.", decided_by=organiser_dina, decided_at=now,
        created_at=now - timedelta(hours=1))
    Amendment.objects.create(campaign=campaign, action=actions[2], candidate=candidates[1],
                             source=AmendmentSource.LIVE, text="Pas encore décidé.", created_at=now)
    services.version_record(by=organiser_dina, campaign=campaign, action_id=actions[0].pk, stage="candidates",
                            title=actions[0].title, summary=actions[0].summary + " Avec un éclairage la nuit.",
                            body="", reason="Amendement de la liste accepté.", amendment=amendment)
    for user in (resident_alice, resident_bob):
        Support.objects.create(action=actions[0], user=user, channel=Channel.ONLINE)
    ElectedList.objects.create(campaign=campaign, candidate=first, round_number=1, marked_by=organiser_dina,
                               marked_at=now)
    Commitment.objects.create(campaign=campaign, action=actions[0], candidate=first, stance="favourable",
                              status=CommitmentStatus.IN_THE_WORKS, status_since=now.date(), created_at=now)
    return campaign


def test_positions_page_shows_every_list_in_panel_order_with_replay_links(client, held_show, candidates, actions):
    campaign = held_show.campaign
    response = client.get(reverse("synthesis:positions", args=[campaign.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    names = [escape(c.list_name) for c in sorted(candidates, key=lambda c: c.ballot_order)]
    positions = [html.index(n) for n in names]
    assert positions == sorted(positions)
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "Favorable avec modifications" in html or "Favourable with changes" in html
    matrix = opendata.positions_matrix(campaign)
    cell = matrix["rows"][0]["cells"][0]
    assert cell["source"] == "live" and cell["replay_url"]


def test_written_reaction_when_no_live_one_no_answer_and_not_asked(held_show, candidates, actions, organiser_dina):
    campaign = held_show.campaign
    from concerto.proposals.models import Origin, Theme
    from concerto.proposals.services import action_create_published_by_system
    never = action_create_published_by_system(
        campaign=campaign, title="Jamais posée", summary="Une action jamais posée aux candidats du quartier.",
        theme_id=Theme.objects.get(campaign=campaign, slug="mobilite").pk, origin=Origin.WORKSHOP)
    matrix = opendata.positions_matrix(campaign)
    by_action = {r["action"].pk: r for r in matrix["rows"]}
    assert [c["stance"] for c in by_action[never.pk]["cells"]] == ["not_asked"] * len(candidates)
    # The fourth action went on air too: Claire's live position wins over her written reaction.
    assert by_action[actions[3].pk]["cells"][0]["source"] == "live"
    # Take the positions away from the fourth action: the written reaction shows, the others say no answer.
    from concerto.live_event.models import Position
    Position.objects.filter(item__action=actions[3]).delete()
    matrix = opendata.positions_matrix(campaign)
    cells = {r["action"].pk: r for r in matrix["rows"]}[actions[3].pk]["cells"]
    assert cells[0]["source"] == "written" and cells[0]["stance"] == "reserved"
    assert [c["stance"] for c in cells[1:]] == ["no_answer", "no_answer"]


def test_filters_by_theme_candidate_and_position_without_javascript(client, held_show, candidates, actions):
    slug = held_show.campaign.slug
    url = reverse("synthesis:positions", args=[slug])
    html = client.get(url, {"candidate": candidates[1].pk}).content.decode()
    assert escape(candidates[1].list_name) in html
    assert escape(candidates[2].list_name) not in html.split("<table")[1]
    html = client.get(url, {"position": "with_changes"}).content.decode()
    table = html.split("<table")[1]
    assert escape(actions[0].title) in table and escape(actions[3].title) not in table
    response = client.get(url, {"position": "<script>", "theme": "nope"})
    assert response.status_code == 200
    assert "pas été reconnue" in response.content.decode() or "not recognised" in response.content.decode()
    rows = _rows(client.get(reverse("synthesis:positions_csv", args=[slug]), {"candidate": candidates[1].pk}).content)
    assert {r["candidate_id"] for r in rows} == {str(candidates[1].pk)}


def test_freeze_hides_positions_recorded_after_it_began(held_show, candidates, actions, monkeypatch):
    from concerto.live_event import selectors as live

    class Round:
        def freeze_window(self):
            return (held_show.started_at - timedelta(days=1), timezone.now() + timedelta(days=1))

    monkeypatch.setattr(live, "election_freeze", lambda campaign, now=None: Round())
    matrix = opendata.positions_matrix(held_show.campaign)
    assert all(c["source"] == "" for r in matrix["rows"] for c in r["cells"])


def test_package_validates_with_frictionless(realistic, tmp_path, actions, candidates):
    files = opendata.package_files(realistic)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads(files["datapackage.json"])
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    assert {r["name"] for r in descriptor["resources"]} == {
        "actions", "versions", "amendments", "reactions", "supports", "speaking_time", "workshop_ideas",
        "contributions", "commitments"}
    versions = _rows(files["versions.csv"])
    first = [v for v in versions if v["action_id"] == str(actions[0].pk)]
    assert [(v["version"], v["credited_candidate_id"]) for v in first] == [("1", ""), ("2", str(candidates[0].pk))]
    assert len(versions) == len(actions) + 1
    amendments = _rows(files["amendments.csv"])
    assert sorted(a["decision"] for a in amendments) == ["accepted", "declined"]  # undecided ones stay out
    assert {a["reason"] for a in amendments} >= {"Bonne idée, retenue telle quelle."}
    assert _rows(files["commitments.csv"])[0]["status"] == "in_the_works"
    assert {r["lang"] for r in _rows(files["actions.csv"])} == {"fr"}
    supports = _rows(files["supports.csv"])
    # Two supports online for the first action: a group under 5, hidden (and so is the campaign's total).
    hidden = {(r["action_id"], r["channel"]) for r in supports if r["hidden"] == "true"}
    assert hidden == {(str(actions[0].pk), "online"), ("", "online")}
    assert all(r["supports"] == "" for r in supports if r["hidden"] == "true")


def test_package_is_deterministic_and_the_zip_holds_the_same_files(client, realistic):
    slug = realistic.slug
    a = client.get(reverse("synthesis:opendata_package", args=[slug])).content
    b = client.get(reverse("synthesis:opendata_package", args=[slug])).content
    assert a == b
    z = zipfile.ZipFile(io.BytesIO(client.get(reverse("synthesis:opendata_zip", args=[slug])).content))
    files = opendata.package_files(realistic)
    assert set(z.namelist()) == set(files)
    for name in files:
        assert z.read(name) == files[name]
        if name.endswith(".csv"):
            url = reverse("synthesis:opendata_csv", args=[slug, name[:-4]])
            assert client.get(url).content == files[name]


def test_the_api_gives_the_same_bytes_as_the_site(client, realistic):
    slug = realistic.slug
    site = client.get(reverse("synthesis:positions_json", args=[slug])).content
    api = client.get(f"/api/v1/campaigns/{slug}/positions")
    assert api.status_code == 200 and api.content == site
    assert client.get(f"/api/v1/campaigns/{slug}/positions.csv").content == \
        client.get(reverse("synthesis:positions_csv", args=[slug])).content
    for name in opendata.package_files(realistic):
        assert client.get(f"/api/v1/campaigns/{slug}/opendata/{name}").content == \
            opendata.package_files(realistic)[name], name
    assert client.get(f"/api/v1/campaigns/{slug}/opendata/secret.txt").status_code == 404
    assert client.get(reverse("synthesis:opendata_csv", args=[slug, "users"])).status_code == 404


def test_popolo_names_the_lists_with_the_candidacy_extension(client, realistic, candidates):
    data = json.loads(client.get(reverse("synthesis:opendata_popolo", args=[realistic.slug])).content)
    assert len(data["organizations"]) == len(candidates)
    heads = [m for m in data["memberships"] if m["role"] == "head of list"]
    assert [m["candidacy"]["ballot_order"] for m in heads] == sorted(c.ballot_order for c in candidates)
    assert sum(1 for m in heads if m["candidacy"]["elected"]) == 1
    assert {p["name"] for p in data["persons"]} >= {c.name for c in candidates}


def test_data_card_page_describes_every_file(client, realistic):
    html = client.get(reverse("synthesis:opendata", args=[realistic.slug])).content.decode()
    for name in ("actions", "versions", "amendments", "reactions", "supports", "speaking_time", "workshop_ideas",
                 "contributions", "commitments"):
        assert f"{name}.csv" in html
    assert "etalab" in html.lower()


def test_unknown_campaign_is_404(client):
    assert client.get(reverse("synthesis:positions", args=["nulle-part"])).status_code == 404
    assert client.get(reverse("synthesis:opendata_package", args=["nulle-part"])).status_code == 404


def test_the_validation_catches_a_broken_file(realistic, tmp_path):
    """The check is real: a text in an integer column makes the package invalid."""
    files = opendata.package_files(realistic)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    broken = files["actions.csv"].decode("utf-8-sig").split("\r\n")
    broken[1] = "pas-un-nombre" + broken[1][broken[1].index(";"):]
    (tmp_path / "actions.csv").write_bytes("\r\n".join(broken).encode("utf-8-sig"))
    assert not Package(str(tmp_path / "datapackage.json")).validate().valid


def test_actions_never_put_to_the_candidates_only_on_demand(client, held_show, candidates):
    from concerto.proposals.models import Origin, Theme
    from concerto.proposals.services import action_create_published_by_system
    campaign = held_show.campaign
    action_create_published_by_system(
        campaign=campaign, title="Jamais posée aux listes", summary="Une action jamais posée aux candidats du quartier.",
        theme_id=Theme.objects.get(campaign=campaign, slug="mobilite").pk, origin=Origin.WORKSHOP)
    url = reverse("synthesis:positions", args=[campaign.slug])
    html = client.get(url).content.decode()
    assert "Jamais posée aux listes" not in html.split("<table")[1]
    html = client.get(url, {"scope": "all"}).content.decode()
    assert "Jamais posée aux listes" in html.split("<table")[1]
    rows = _rows(client.get(reverse("synthesis:positions_csv", args=[campaign.slug]), {"position": "not_asked"}).content)
    assert {r["action"] for r in rows} == {"Jamais posée aux listes"}
    assert {r["position"] for r in rows} == {"not_asked"} and len(rows) == len(candidates)
