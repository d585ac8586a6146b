"""The minutes: the selector, the public page (draft before closing), the PDF rendered on closing."""

import subprocess
import time
import uuid

import pytest
from django.urls import reverse

from concerto.workshops import selectors, services
from concerto.workshops.minutes import compile_minutes, render_minutes
from concerto.workshops.models import Phase, SheetStatus, Workshop

from .sheets_world import fill_wall, make_workshop, move_to


@pytest.fixture
def workshop(campaign, organiser_dina, facilitator_fanny):
    w = make_workshop(campaign, organiser_dina, facilitators=[facilitator_fanny])
    fill_wall(w, facilitator=facilitator_fanny)
    w = move_to(w, Phase.SHEETS, facilitator_fanny)
    for i in range(10):
        s, _ = services.sheet_save(by=facilitator_fanny, workshop=w, client_id=str(uuid.uuid4()),
                                   title=f"Fiche d'action numéro {i + 1}", problem="Un constat partagé par la salle.",
                                   proposal="Une proposition concrète, écrite avec la salle.", actors=["city"])
        if i < 6:
            services.sheet_status_set(by=facilitator_fanny, workshop=w, sheet_id=s.pk, status=SheetStatus.RETAINED)
    return w


def url(name, w):
    return reverse(f"workshops:{name}", args=[w.campaign.slug, w.pk])


def test_minutes_selector(workshop):
    m = selectors.minutes(workshop)
    assert m["attendance"] == {"invited": 11, "present": 11, "excused": 1, "absent": 0, "walk_ins": 1}
    # Names only of present attendees who agreed.
    assert m["named"] == [f"Personne {i:02d}" for i in (1, 3, 5, 7, 9, 11)]
    assert m["unnamed_present"] == 5
    assert m["idea_total"] == 40 and m["idea_kept"] == 38
    first = next(i for i in [*m["ungrouped"], *(i for t in m["themes"] for i in t["ideas"])] if i.merged_count)
    assert first.merged_count == 2  # two duplicates counted with the idea they were merged into
    assert all(not i.theme_id for i in m["ungrouped"]) and m["ungrouped"]
    assert sum(p["count"] for p in m["prompts"]) == 40
    # The zero-vote theme is kept, ties are shown.
    votes = m["votes"]
    assert any(v["kind"] == "theme" and v["dots"] == 0 for v in votes)
    assert any(v["tied"] for v in votes)
    assert [v["rank"] for v in votes] == sorted(v["rank"] for v in votes)
    assert len(m["sheets"]) == 6
    assert [p["phase"] for p in m["method"]["phases"]] == ["collect", "reveal", "cluster", "vote", "sheets"]
    assert m["method"]["proxy_ideas"] == 1 and m["method"]["proxy_dots"] == 1
    assert m["method"]["suggestions_accepted"] == 1


def test_draft_minutes_only_for_staff(client, workshop, facilitator_fanny, resident_alice):
    assert client.get(url("minutes", workshop)).status_code == 404
    client.force_login(resident_alice)
    assert client.get(url("minutes", workshop)).status_code == 404
    client.force_login(facilitator_fanny)
    page = client.get(url("minutes", workshop))
    assert page.status_code == 200
    assert "Brouillon — atelier en cours" in page.content.decode()


def test_closing_renders_the_pdf_and_the_page_is_public(client, workshop, facilitator_fanny,
                                                         django_capture_on_commit_callbacks):
    assert client.get(url("minutes_pdf", workshop)).status_code == 404
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.workshop_phase_set(by=facilitator_fanny, workshop=workshop, phase=Phase.CLOSED)
    elapsed = time.monotonic() - started
    workshop.refresh_from_db()
    assert workshop.minutes_pdf and workshop.minutes_pdf_version == workshop.version
    assert elapsed < 10, elapsed
    page = client.get(url("minutes", workshop))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Brouillon" not in html and "Personne 01" in html and "Personne 02" not in html
    pdf = client.get(url("minutes_pdf", workshop))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF")


def test_reopen_and_close_again_renders_a_new_pdf(client, workshop, facilitator_fanny,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.workshop_phase_set(by=facilitator_fanny, workshop=workshop, phase=Phase.CLOSED)
    first = Workshop.objects.get(pk=workshop.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.workshop_phase_set(by=facilitator_fanny, workshop=first, phase=Phase.SHEETS)
    reopened = Workshop.objects.get(pk=workshop.pk)
    # While reopened, the stored PDF is out of date: the page says so rather than serve it.
    client.force_login(facilitator_fanny)
    assert b"%PDF" not in client.get(url("minutes_pdf", reopened)).content
    with django_capture_on_commit_callbacks(execute=True):
        services.workshop_phase_set(by=facilitator_fanny, workshop=reopened, phase=Phase.CLOSED)
    second = Workshop.objects.get(pk=workshop.pk)
    assert second.minutes_pdf_version == second.version > first.minutes_pdf_version
    assert second.minutes_pdf.name != first.minutes_pdf.name
    # A stale task (an older version) stores nothing.
    assert render_minutes(workshop_id=workshop.pk, version=first.version) is False


def test_pdf_is_pdf_ua_with_french_headings(workshop, facilitator_fanny, tmp_path):
    workshop = services.workshop_phase_set(by=facilitator_fanny, workshop=workshop, phase=Phase.CLOSED)
    pdf = compile_minutes(workshop)
    assert b"pdfuaid" in pdf  # the PDF/UA-1 identification in the XMP metadata
    assert b"/StructTreeRoot" in pdf  # tagged
    path = tmp_path / "cr.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603,S607
                          check=True).stdout
    for heading in ("Compte rendu de l’atelier n° 1", "Présence", "Idées par thème", "Résultats du vote",
                    "Fiches d’action retenues", "Méthode"):
        assert heading in text, heading


def test_pdf_prints_typst_markup_literally(workshop, facilitator_fanny):
    from concerto.workshops.models import Idea

    Idea.objects.filter(workshop=workshop).update(text="#set page(width: 1cm) *gras* $x$ [lien]")
    workshop = services.workshop_phase_set(by=facilitator_fanny, workshop=workshop, phase=Phase.CLOSED)
    assert compile_minutes(workshop).startswith(b"%PDF")
