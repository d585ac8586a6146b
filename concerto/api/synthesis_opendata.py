"""Public results in the API: the positions matrix and the open data package, read anonymously.

The answers are the very bytes the site serves (``concerto.synthesis.opendata`` builds both): the
matrix as JSON (or CSV) with the same filters as the positions page, ``datapackage.json``, each CSV
resource, README.md (the data card), popolo.json and the zip of everything. No personal data of
residents is in any of them (docs/synthesis-opendata.md).
"""

from django.http import HttpResponse
from ninja import Router

from concerto.campaigns.selectors import campaign_get
from concerto.synthesis import opendata
from concerto.synthesis.errors import SynthesisNotFound

from .auth import OPTIONAL_AUTH_DOC, token_optional
from .schemas import NOT_FOUND, READ_ERRORS

router = Router(tags=["open data"])



def _read(*types: str, description: str) -> dict:
    """The read options with the 200 answer's media types (the files are not JSON only)."""
    content = {t: {"schema": {"type": "object"} if t == "application/json" else {"type": "string"}} for t in types}
    return {"auth": token_optional, "openapi_extra": {
        **OPTIONAL_AUTH_DOC, "responses": {200: {"description": description, "content": content}}}}

TYPES = {".json": "application/json; charset=utf-8", ".csv": "text/csv; charset=utf-8",
         ".md": "text/markdown; charset=utf-8"}


def _bytes(data: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    return response


def _matrix(slug, theme, candidate, position, scope):
    return opendata.filter_matrix(opendata.positions_matrix(campaign_get(slug)), theme=theme[:60],
                                  candidate=candidate[:12], position=position[:20], scope=scope[:10])


@router.get("/{slug}/positions", response={**READ_ERRORS, **NOT_FOUND},
            summary="Actions × candidates: each list's position on each action (as /c/<slug>/positions.json)",
            **_read("application/json", description="The positions matrix"))
def positions(request, slug: str, theme: str = "", candidate: str = "", position: str = "",
              scope: str = ""):
    return _bytes(opendata.json_bytes(opendata.positions_json(_matrix(slug, theme, candidate, position, scope))),
                  TYPES[".json"])


@router.get("/{slug}/positions.csv", response={**READ_ERRORS, **NOT_FOUND},
            summary="The positions matrix as CSV (as /c/<slug>/positions.csv)",
            **_read("text/csv", description="The positions matrix, UTF-8 with BOM, ';'"))
def positions_csv(request, slug: str, theme: str = "", candidate: str = "", position: str = "",
              scope: str = ""):
    return _bytes(opendata.positions_csv(_matrix(slug, theme, candidate, position, scope)), TYPES[".csv"])


@router.get("/{slug}/opendata/datapackage.zip", response={**READ_ERRORS, **NOT_FOUND},
            summary="Every file of the open data package in one zip (as /c/<slug>/donnees/donnees.zip)",
            **_read("application/zip", description="The zip"))
def package_zip(request, slug: str):
    return _bytes(opendata.package_zip(opendata.package_files(campaign_get(slug))), "application/zip")


@router.get("/{slug}/opendata/{filename}", response={**READ_ERRORS, **NOT_FOUND},
            summary="One file of the open data package: datapackage.json, <resource>.csv, README.md, popolo.json",
            **_read("application/json", "text/csv", "text/markdown", description="The file"))
def package_file(request, slug: str, filename: str):
    files = opendata.package_files(campaign_get(slug))
    if filename not in files:
        raise SynthesisNotFound()
    return _bytes(files[filename], TYPES["." + filename.rsplit(".", 1)[-1]])
