"""One letter, several volunteers (issue 8, F10): organisers see the household in the list and the
export, and a selection can allow one seat per household, kept by every panel and checked by verify.py."""

import copy
import io

from django.urls import reverse

from concerto.letters.models import CodeUse, Household, InvitationCode
from concerto.selection import services, verify
from concerto.selection.tests.factories import create_selection, make_pool
from concerto.volunteers.export import volunteers_export


def _same_household(campaign, members):
    household = Household.objects.create(campaign=campaign, name="", address_line1="3 rue des Lavandes",
                                         postcode="13090", city="Aix-en-Provence", key=f"3 lavandes {campaign.slug}")
    code = InvitationCode.objects.create(campaign=campaign, household=household, code=f"FOYER{campaign.pk}")
    for volunteer in members:
        CodeUse.objects.create(code=code, user=volunteer.user)
    return household


def test_organisers_see_households_in_the_list_and_the_export(client, campaign, organiser_dina):
    pool = make_pool(campaign, 6)
    household = _same_household(campaign, pool[:3])
    client.force_login(organiser_dina)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("volunteering:list", args=[campaign.slug])).content.decode()
    assert f"Household {household.pk}" in html and "3 volunteers from this household" in html
    csv = volunteers_export(user=organiser_dina, campaign=campaign)
    rows = [line.split(";") for line in csv.splitlines()[1:]]
    marked = [r for r in rows if f"Household {household.pk}" in r or f"Foyer {household.pk}" in r]
    assert len(marked) == 3 and all(r[-1] == "3" for r in marked)
    assert sum(1 for r in rows if r[-1] == "") == 3


def _panels(selection):
    return [set(p) for p in selection.distribution["panels"]]


def test_one_seat_per_household_is_kept_by_every_panel(campaign, organiser_dina):
    pool = make_pool(campaign, 12)
    _same_household(campaign, pool[:3])
    members = {v.pseudonym for v in pool[:3]}
    free = services.selection_compute(by=organiser_dina, selection=create_selection(campaign, organiser_dina,
                                                                                    quotas=[]))
    assert any(len(panel & members) > 1 for panel in _panels(free))  # without the option, it happens
    selection = create_selection(campaign, organiser_dina, quotas=[], title="Un siège par foyer")
    selection = services.selection_update(by=organiser_dina, selection=selection, title=selection.title,
                                          panel_size=4, required_dates=[], time_limit=20, quotas=[],
                                          one_per_household=True)
    selection = services.selection_compute(by=organiser_dina, selection=selection)
    assert selection.one_per_household and selection.distribution
    assert all(len(panel & members) <= 1 for panel in _panels(selection))
    assert any(panel & members for panel in _panels(selection))  # the household still has its chance


def test_verify_checks_one_seat_per_household(client, campaign, organiser_dina):
    pool = make_pool(campaign, 12)
    _same_household(campaign, pool[:3])
    selection = create_selection(campaign, organiser_dina, quotas=[])
    selection = services.selection_update(by=organiser_dina, selection=selection, title=selection.title,
                                          panel_size=4, required_dates=[], time_limit=20, quotas=[],
                                          one_per_household=True)
    selection = services.selection_compute(by=organiser_dina, selection=selection)
    services.selection_publish(by=organiser_dina, selection=selection)
    document = client.get(reverse("selection:audit_json", args=[campaign.slug, selection.pk])).json()
    assert document["meta"]["one_per_household"] is True
    assert set(document["meta"]["households"]) == {v.pseudonym for v in pool[:3]}
    assert len(set(document["meta"]["households"].values())) == 1
    assert str(pool[0].pk) not in document["meta"]["households"].values()
    out = io.StringIO()
    report = verify.Report(out)
    verify.verify(document, report)
    assert report.failures == 0 and "Un siège par foyer" in out.getvalue(), out.getvalue()
    # A file claiming the rule while a panel holds two of the household fails.
    bad = copy.deepcopy(document)
    panel = bad["distribution"]["panels"][0]
    bad["meta"]["households"] = {panel[0]: "f", panel[1]: "f"}
    out = io.StringIO()
    report = verify.Report(out)
    verify.verify(bad, report)
    assert report.failures and "Un siège par foyer non respecté" in out.getvalue()
