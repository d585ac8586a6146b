"""Rendering letters to PDF: the worker module of the letters app.

``tasks.render_batch`` runs ``batch_render`` for large batches; services call it directly for
small ones (in the request, after their transaction) and for the one-page preview. Nothing here
checks permissions or imports services: the import graph stays services -> tasks -> rendering.
"""

import logging
import secrets
import tempfile

from django.conf import settings
from django.core.files import File
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from concerto.campaigns.models import PhaseKind
from concerto.core.audit import log_action

from . import samples, selectors
from .codes import format_code, new_code
from .models import (
    BatchKind,
    BatchLetter,
    BatchStatus,
    Household,
    InvitationCode,
    LetterBatch,
    LetterSettings,
)
from .pdf import LetterData, render_body, render_letters, render_letters_to_file

logger = logging.getLogger("concerto.letters")


def deadline(campaign) -> str:
    """``{date_limite}``: the end of the selection (volunteering) phase, else of the letters phase."""
    phases = {p.kind: p for p in campaign.phases.all()}
    phase = phases.get(PhaseKind.SELECTION) or phases.get(PhaseKind.INVITATION)
    if phase is None:
        return ""
    return formats.date_format(timezone.localtime(phase.ends_at), "j F Y")


def placeholder_values(*, campaign, household: Household | None, code: str, link: str, deadline: str) -> dict:
    """The values of the letter's placeholders for one household (see pdf.PLACEHOLDERS);
    ``household=None``: the fictitious household of ``samples``."""
    if household is None:
        name, street, _town = samples.address_lines()
        return {"nom": name, "adresse": street, "code": code,
                "lien": link, "secteur": _("your sector"), "quartier": campaign.territory or campaign.name,
                "date_limite": deadline}
    address = ", ".join(line for line in [household.address_line1, household.address_line2,
                                          household.address_line3] if line)
    return {
        "nom": household.name, "adresse": address, "code": code, "lien": link,
        "secteur": household.sector.name if household.sector_id else "",
        "quartier": campaign.territory or campaign.name, "date_limite": deadline,
    }


def reminder_intro() -> str:
    """Reminders reuse the letter's text after this paragraph (no second template to maintain)."""
    return _("Reminder: a few weeks ago we sent you the letter below. Your household has not used its "
             "code yet: it is still valid.")


def _body(letter_settings: LetterSettings) -> str:
    return letter_settings.body or selectors.default_body(letter_settings.residents_per_code)


def _code_block(join_url: str) -> dict:
    """The texts around the code and its QR code, for ``render_letters``."""
    hint = join_url.removeprefix("https://").removeprefix("http://")
    return {"code_label": _("Your invitation code"), "qr_caption": _("Scan to join"),
            "join_hint": _("or go to %(url)s and type your code") % {"url": hint}}


def _letter_data(batch: LetterBatch, letter_settings: LetterSettings, join_url: str) -> list[LetterData]:
    campaign = batch.campaign
    when = deadline(campaign)
    body = _body(letter_settings)
    if batch.kind == BatchKind.REMINDER:
        body = reminder_intro() + "\n\n" + body
    rows = (
        BatchLetter.objects.filter(batch=batch).select_related("code__household__sector")
        .order_by("position")
    )
    letters = []
    for row in rows.iterator(chunk_size=2000):
        household = row.code.household
        shown = format_code(row.code.code)
        link = f"{join_url}?code={row.code.code}"
        values = placeholder_values(campaign=campaign, household=household, code=shown, link=link,
                                    deadline=when)
        letters.append(LetterData(
            address_lines=household.address_lines, body=render_body(body, values), code=shown, qr_url=link,
            reference=f"{batch.pk}-{row.position}",
        ))
    return letters


def batch_render(*, batch_id: int, join_url: str) -> LetterBatch | None:
    """Render a queued batch's PDF. Idempotent: only a queued batch is taken (conditional UPDATE),
    so two workers never render the same batch. Failures are kept on the batch, not raised."""
    if not LetterBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING, started_at=timezone.now(), done=0, error=""
    ):
        return None
    batch = LetterBatch.objects.select_related("campaign__organisation").get(pk=batch_id)
    campaign = batch.campaign
    try:
        with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile() as handle:
            letter_settings = selectors.letter_settings(campaign)
            letters = _letter_data(batch, letter_settings, join_url)
            title = letter_settings.title
            if batch.kind == BatchKind.REMINDER:
                title = _("Reminder – %(title)s") % {"title": title}
            render_letters_to_file(
                handle, letters, title=title, **selectors.letterhead(campaign, using=letter_settings),
                **_code_block(join_url),
                progress=lambda done, _total: LetterBatch.objects.filter(pk=batch_id).update(done=done),
            )
            handle.seek(0)
            name = f"{campaign.slug}-{batch.kind}-{batch.pk}-{secrets.token_hex(4)}.pdf"
            batch.file.save(name, File(handle), save=False)
        LetterBatch.objects.filter(pk=batch_id).update(
            status=BatchStatus.DONE, done=batch.total, file=batch.file.name, finished_at=timezone.now())
        log_action("letters.batch.rendered", scope=campaign.slug, target=batch, letters=batch.total)
    except Exception as exc:
        logger.exception("Rendering letter batch %s failed", batch_id)
        LetterBatch.objects.filter(pk=batch_id).update(
            status=BatchStatus.FAILED, error=str(exc)[:2000] or exc.__class__.__name__, finished_at=timezone.now())
        log_action("letters.batch.failed", scope=campaign.slug, target=batch, error=str(exc)[:200])
    batch.refresh_from_db()
    return batch


def _sample_code() -> str:
    """The sample code, unless by chance a household holds it (1 in 31**9): a preview never prints a live code."""
    code = samples.code()
    while InvitationCode.objects.filter(code=code).exists():
        code = new_code()
    return code


def preview_pdf(campaign, *, join_url: str) -> bytes:
    """One page: the campaign's letter for the fictitious household of ``samples`` and a code no household holds."""
    letter_settings = selectors.letter_settings(campaign)
    sample = _sample_code()
    shown = format_code(sample)
    link = f"{join_url}?code={sample}"
    with translation.override(settings.LANGUAGE_CODE):
        values = placeholder_values(campaign=campaign, household=None, code=shown, link=link,
                                    deadline=deadline(campaign))
        return render_letters(
            [LetterData(address_lines=samples.address_lines(), body=render_body(_body(letter_settings), values),
                        code=shown, qr_url=link, reference="preview")],
            title=letter_settings.title, **selectors.letterhead(campaign, using=letter_settings),
            **_code_block(join_url), progress=None,
        )
