"""Public results: the positions page (actions × candidates, with its CSV and JSON) and the open
data (the data card page, ``datapackage.json``, one CSV per resource, README.md, popolo.json and
the zip of everything). Public like the consultation's results (``rules.can_view_results``); the
files are built by ``concerto.synthesis.opendata``, as the API's are: the same bytes."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from concerto.campaigns.selectors import campaign_for_page
from concerto.core.http import require

from .. import opendata, rules
from ..errors import SynthesisNotFound

CSV = "text/csv; charset=utf-8"
JSON = "application/json; charset=utf-8"


def _campaign(request, slug):
    campaign = campaign_for_page(slug, request.user)
    require(rules.can_view_results(request.user, campaign), SynthesisNotFound())
    return campaign


def _filters(request) -> dict:
    return {"theme": request.GET.get("theme", "")[:60], "candidate": request.GET.get("candidate", "")[:12],
            "position": request.GET.get("position", "")[:20], "scope": request.GET.get("scope", "")[:10]}


def _matrix(request, campaign):
    return opendata.filter_matrix(opendata.positions_matrix(campaign), **_filters(request))


def _download(data: bytes, content_type: str, filename: str, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def positions(request, slug):
    campaign = _campaign(request, slug)
    full = opendata.positions_matrix(campaign)
    matrix = opendata.filter_matrix(full, **_filters(request))
    themes = []
    for row in full["rows"]:
        if row["theme"] and row["theme"] not in themes:
            themes.append(row["theme"])
    query = request.GET.urlencode() if any(matrix["filters"].values()) else ""
    return render(request, "synthesis/opendata/positions.html", {
        "campaign": campaign, "matrix": matrix, "themes": themes, "all_candidates": full["candidates"],
        "positions": opendata.POSITION_FILTERS, "query": query,
    })


@require_GET
def positions_csv(request, slug):
    campaign = _campaign(request, slug)
    return _download(opendata.positions_csv(_matrix(request, campaign)), CSV, f"positions-{campaign.slug}.csv")


@require_GET
def positions_json(request, slug):
    campaign = _campaign(request, slug)
    return _download(opendata.json_bytes(opendata.positions_json(_matrix(request, campaign))), JSON,
                     f"positions-{campaign.slug}.json", attachment=False)


@require_GET
def card(request, slug):
    campaign = _campaign(request, slug)
    resources = opendata.build_resources(campaign)
    return render(request, "synthesis/opendata/card.html", {
        "campaign": campaign, "resources": resources, "licence": opendata.LICENCE})


def _file(request, slug, name):
    campaign = _campaign(request, slug)
    files = opendata.package_files(campaign)
    if name not in files:
        raise SynthesisNotFound()
    return campaign, files


@require_GET
def package(request, slug):
    campaign, files = _file(request, slug, "datapackage.json")
    return _download(files["datapackage.json"], JSON, "datapackage.json", attachment=False)


@require_GET
def resource_csv(request, slug, name):
    campaign, files = _file(request, slug, f"{name}.csv")
    return _download(files[f"{name}.csv"], CSV, f"{name}.csv")


@require_GET
def readme(request, slug):
    campaign, files = _file(request, slug, "README.md")
    return _download(files["README.md"], "text/markdown; charset=utf-8", "README.md", attachment=False)


@require_GET
def popolo(request, slug):
    campaign, files = _file(request, slug, "popolo.json")
    return _download(files["popolo.json"], JSON, "popolo.json", attachment=False)


@require_GET
def archive(request, slug):
    campaign = _campaign(request, slug)
    return _download(opendata.package_zip(opendata.package_files(campaign)), "application/zip",
                     f"donnees-{campaign.slug}.zip")


urlpatterns = [
    path("positions/", positions, name="positions"),
    path("positions.csv", positions_csv, name="positions_csv"),
    path("positions.json", positions_json, name="positions_json"),
    path("donnees/", card, name="opendata"),
    path("donnees/datapackage.json", package, name="opendata_package"),
    path("donnees/README.md", readme, name="opendata_readme"),
    path("donnees/popolo.json", popolo, name="opendata_popolo"),
    path("donnees/donnees.zip", archive, name="opendata_zip"),
    path("donnees/<slug:name>.csv", resource_csv, name="opendata_csv"),
]
