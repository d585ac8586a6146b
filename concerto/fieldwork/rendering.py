"""The paper forms' PDF: the worker module that ``tasks.render_paper_print`` runs.

One A4 form per sheet of a printing (``PaperPrint``), compiled with Typst as a tagged PDF/UA-1
document in the site's language, stored in ``PaperPrint.file``. The numbering of the actions and the
consent text are the printing's own (decided when it was asked for), so the PDF shows exactly what
staff will be asked to type back. Nothing here checks permissions or imports services: the import
graph stays services -> tasks -> worker modules.

Every text goes to Typst as DATA (JSON in ``sys.inputs``), inserted as text values, never markup.
"""

import json
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.campaigns.selectors import public_contact
from concerto.letters.pdf import qr_png

from .models import PaperPrint, PaperSheet, PrintStatus
from .serials import format_serial

logger = logging.getLogger("concerto.fieldwork")
TEMPLATE = Path(__file__).resolve().parent / "typst" / "paper.typ"


def paper_data(run: PaperPrint, sheets: list[PaperSheet]) -> dict:
    """The Typst document's data: every label translated, the printing's numbering and consent text."""
    campaign = run.campaign
    contact = public_contact(campaign).rstrip(". ")
    footer = _("Each form has its own number: please do not photocopy it, ask the organisers for more.")
    if contact:
        footer += " " + _("Give the form back to an ambassador or to the organisers: %(contact)s.") % {"contact": contact}
    else:
        footer += " " + _("Give the form back to an ambassador or to the organisers.")
    return {
        "lang": (translation.get_language() or settings.LANGUAGE_CODE)[:2],
        "doc_title": _("Participation form – %(campaign)s") % {"campaign": campaign.name},
        "campaign": campaign.name,
        "title": _("Have your say on paper"),
        "intro": _("No internet needed: tick the actions you support, write your own proposal if you wish, "
                   "and give the form back. Your supports count as much as those given online."),
        "actions": [{"n": str(a["n"]), "title": a["title"], "summary": a.get("summary", "")} for a in run.actions],
        "consent": run.consent_script.text,
        "footer": footer,
        "labels": {
            "serial": _("Form number"),
            "actions": _("1. The actions you support"),
            "actions_help": _("Tick as many as you like."),
            "proposal": _("2. Your proposal (optional)"),
            "proposal_help": _("An idea for the neighbourhood, in a few words."),
            "about_you": _("3. About you"),
            "code": _("Your household's code"),
            "code_help": _("on your invitation letter, if you have it"),
            "initials": _("First name or initials"),
            "optional": _("optional"),
            "wants_post": _("I would like news of the consultation by post."),
            "consent": _("4. Your agreement (required)"),
            "accept": _("I agree"),
            "accept_help": _("Without this box ticked, nothing from this form can be kept or counted."),
            "footer_serial": _("Form"),
        },
        "sheets": [{
            "serial": format_serial(s.serial),
            "position": _("form %(number)s of %(count)s") % {"number": s.number, "count": run.count},
            "qr": list(qr_png(s.serial)),
            "qr_alt": _("QR code of the form number %(serial)s") % {"serial": format_serial(s.serial)},
        } for s in sheets],
    }


def compile_paper(data: dict) -> bytes:
    import typst

    return typst.compile(TEMPLATE.read_bytes(), sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                         ignore_system_fonts=True, pdf_standards=["ua-1"], timestamp=0)


def paper_print_pdf(run: PaperPrint) -> bytes:
    sheets = list(PaperSheet.objects.filter(print_run=run).order_by("number"))
    with translation.override(settings.LANGUAGE_CODE):
        return compile_paper(paper_data(run, sheets))


def paper_print_render(*, print_id: int) -> bool:
    """Render a queued printing and store its PDF. Taken by one worker only (conditional UPDATE);
    a failure is kept on the printing (its message shown to the organiser), never raised."""
    if not PaperPrint.objects.filter(pk=print_id, status=PrintStatus.QUEUED).update(status=PrintStatus.RUNNING):
        return False
    started = time.monotonic()
    run = PaperPrint.objects.select_related("campaign", "consent_script").get(pk=print_id)
    try:
        pdf = paper_print_pdf(run)
        run.file.save(f"formulaires-{run.campaign.slug}-{run.pk}.pdf", ContentFile(pdf), save=False)
        PaperPrint.objects.filter(pk=print_id).update(status=PrintStatus.DONE, file=run.file.name,
                                                      finished_at=timezone.now())
    except Exception as exc:
        logger.exception("Rendering paper forms %s failed", print_id)
        PaperPrint.objects.filter(pk=print_id).update(status=PrintStatus.FAILED, finished_at=timezone.now(),
                                                      error=str(exc)[:2000] or exc.__class__.__name__)
        return False
    logger.info("paper forms %s (%s sheets) rendered in %.2f s", print_id, run.count, time.monotonic() - started)
    return True
