"""The minutes (web page and PDF) and the exports of a workshop.

The minutes are public once the wall is closed; before, only its facilitators and the organisers
see them, marked as a draft. Anyone else gets the 404 page (``WorkshopNotFound``), as for a
workshop that does not exist. Exports: staff at any moment (authors' names only with consent);
everyone the public parts once closed. Vote totals only after the vote closed, for everyone
(``rules.can_see_vote_totals``, the screen's rule). Formats: docs/workshops.md.
"""

import csv
import io
import json

from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concerto.campaigns.selectors import campaign_get
from concerto.core.http import require

from .. import rules, selectors
from ..errors import WorkshopNotFound
from ..models import Phase, Prompt


def _minutes_workshop(request, slug, workshop_id):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_get(campaign, workshop_id)
    require(rules.can_view_minutes(request.user, workshop), WorkshopNotFound)
    return campaign, workshop


@require_GET
def minutes_page(request, slug, workshop_id):
    campaign, workshop = _minutes_workshop(request, slug, workshop_id)
    return render(request, "workshops/minutes.html", {
        "campaign": campaign, "workshop": workshop, "m": selectors.minutes(workshop),
        "draft": workshop.phase != Phase.CLOSED, "pdf_ready": selectors.minutes_pdf_ready(workshop),
        "can_run": rules.can_run_workshop(request.user, workshop)})


@require_GET
def minutes_pdf(request, slug, workshop_id):
    campaign, workshop = _minutes_workshop(request, slug, workshop_id)
    if not selectors.minutes_pdf_ready(workshop):
        # Rendered in the background within seconds of closing: say so, offer the web page.
        return render(request, "workshops/minutes_pdf_pending.html", {
            "campaign": campaign, "workshop": workshop, "closed": workshop.phase == Phase.CLOSED})
    response = FileResponse(workshop.minutes_pdf.open("rb"), content_type="application/pdf",
                            filename=f"compte-rendu-atelier-{workshop.number}.pdf")
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    return response


def _export_rows(request, workshop):
    staff = rules.can_run_workshop(request.user, workshop)
    require(staff or workshop.phase == Phase.CLOSED, WorkshopNotFound)
    with_votes = rules.can_see_vote_totals(request.user, workshop)
    return selectors.export_data(workshop, staff=staff, with_votes=with_votes), staff, with_votes


@require_GET
def export(request, slug, workshop_id, fmt):
    campaign = campaign_get(slug)
    workshop = selectors.workshop_get(campaign, workshop_id)
    if fmt not in ("csv", "json"):
        raise WorkshopNotFound()
    data, staff, with_votes = _export_rows(request, workshop)
    filename = f"atelier-{workshop.number}-{campaign.slug}.{fmt}"
    if fmt == "json":
        body = {"workshop": {"id": workshop.pk, "number": workshop.number, "title": workshop.title,
                             "starts_at": workshop.starts_at.isoformat(), "place": workshop.place,
                             "phase": workshop.phase},
                "votes_visible": with_votes, **data}
        response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=1),
                                content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(_csv(data, staff=staff, with_votes=with_votes), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _csv(data, *, staff: bool, with_votes: bool) -> str:
    """One file, three sections (ideas, themes, votes), each a title line, a header and its rows,
    separated by an empty line. UTF-8 with a BOM and ``;`` between fields: French spreadsheets
    open it as is."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    yes, no = _("yes"), _("no")
    prompts = dict(Prompt.choices)
    w.writerow([_("Ideas")])
    header = [_("id"), _("question"), _("text"), _("place"), _("theme"), _("merged into")]
    header += [_("dots")] if with_votes else []
    header += [_("proxy")]
    header += [_("author")] if staff else []
    w.writerow(header)
    for i in data["ideas"]:
        row = [i["id"], prompts.get(i["prompt"], i["prompt"]), _cell(i["text"]), _cell(i["place"]), _cell(i["theme"]),
               i["merged_into"] or ""]
        row += [i["dots"]] if with_votes else []
        row += [yes if i["proxy"] else no]
        row += [_cell(i["author"])] if staff else []
        w.writerow(row)
    w.writerow([])
    w.writerow([_("Themes")])
    w.writerow([_("id"), _("name"), _("ideas")] + ([_("dots")] if with_votes else []))
    for t in data["themes"]:
        w.writerow([t["id"], _cell(t["name"]), t["idea_count"]] + ([t["dots"]] if with_votes else []))
    w.writerow([])
    w.writerow([_("Votes")])
    if with_votes:
        w.writerow([_("rank"), _("tie"), _("kind"), _("id"), _("label"), _("dots"), _("voters")])
        for v in data["votes"]:
            w.writerow([v["rank"], yes if v["tied"] else no, _("theme") if v["kind"] == "theme" else _("idea"), v["id"],
                        _cell(v["label"]), v["dots"], v["voters"]])
    else:
        w.writerow([_("The votes are shown once the vote is closed.")])
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: such text gets a leading quote."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


W = "ateliers/<int:workshop_id>/"
urlpatterns = [
    path(W + "compte-rendu/", minutes_page, name="minutes"),
    path(W + "compte-rendu.pdf", minutes_pdf, name="minutes_pdf"),
    path(W + "export.<str:fmt>", export, name="export"),
]
room_urlpatterns: list = []
