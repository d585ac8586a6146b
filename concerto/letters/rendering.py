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
from django.utils.translation import ngettext

from concerto.campaigns.selectors import public_contact
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
from .pdf import (
    NORMAL_SIZE,
    LetterData,
    body_fit,
    placeholders_in,
    render_body,
    render_letter_png,
    render_letters,
    render_letters_to_file,
)

logger = logging.getLogger("concerto.letters")


def deadline(campaign) -> str:
    """``{date_limite}``: the end of the selection (volunteering) phase, else of the letters phase."""
    when = selectors.letter_deadline(campaign)
    if when is None:
        return ""
    return formats.date_format(timezone.localtime(when), "j F Y")


def places_text(count: int) -> str:
    """``{places}``: how many residents may join with one household code, with its noun."""
    return ngettext("%(count)s person", "%(count)s people", count) % {"count": count}


def contact_text(campaign, letter_settings: LetterSettings | None = None) -> str:
    """``{contact}``: the campaign's public contact; without one, the letter's sender on one line
    (the settings page warns), else the organisation's name."""
    contact = public_contact(campaign)
    if contact:
        return contact
    letter = letter_settings or selectors.letter_settings(campaign)
    sender = ", ".join(line.strip() for line in letter.sender_lines.splitlines() if line.strip())
    return sender or campaign.organisation.name


def placeholder_values(*, campaign, household: Household | None, code: str, link: str, deadline: str,
                       places: int | None = None, contact: str | None = None) -> dict:
    """The values of the letter's placeholders for one household (see pdf.PLACEHOLDERS);
    ``household=None``: the fictitious household of ``samples``. ``places``: the code's number of
    residents (default: the letter settings'); ``contact``: default ``contact_text(campaign)``."""
    if places is None:
        places = selectors.letter_settings(campaign).residents_per_code
    if contact is None:
        contact = contact_text(campaign)
    common = {"code": code, "lien": link, "quartier": campaign.territory or campaign.name, "date_limite": deadline,
              "places": places_text(places), "contact": contact}
    if household is None:
        name, street, _town = samples.address_lines()
        return {"nom": name, "adresse": street, "secteur": _("your sector"), **common}
    address = ", ".join(line for line in [household.address_line1, household.address_line2,
                                          household.address_line3] if line)
    return {"nom": household.name, "adresse": address,
            "secteur": household.sector.name if household.sector_id else "", **common}


def reminder_intro() -> str:
    """The default reminder paragraph: reminders reuse the letter's text after it (no second
    template to maintain); organisers may write their own (``LetterSettings.reminder_text``)."""
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
    contact = contact_text(campaign, letter_settings)
    if batch.kind == BatchKind.REMINDER:
        body = (letter_settings.reminder_text or reminder_intro()) + "\n\n" + body
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
                                    deadline=when, places=row.code.max_uses, contact=contact)
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
                                    deadline=deadline(campaign), places=letter_settings.residents_per_code,
                                    contact=contact_text(campaign, letter_settings))
        return render_letters(
            [LetterData(address_lines=samples.address_lines(), body=render_body(_body(letter_settings), values),
                        code=shown, qr_url=link, reference="preview")],
            title=letter_settings.title, **selectors.letterhead(campaign, using=letter_settings),
            **_code_block(join_url), progress=None,
        )


# --- Checking a letter before it is saved --------------------------------------------------------


def _sample_link(join_url: str) -> str:
    base = join_url if "://" in join_url else "https://concerto.example.org" + (join_url or "/")
    return f"{base}?code={samples.code()}"


def fit_messages(fit, *, reminder: bool = False) -> list[str]:
    """What to say about a text's fit (``pdf.BodyFit``), in the organiser's words: nothing when it
    prints at the normal size."""
    if fit.normal:
        return []
    numbers = {"lines": fit.excess_lines, "chars": fit.excess_chars, "normal": formats.localize(NORMAL_SIZE),
               "size": formats.localize(fit.size)}
    lines = fit.excess_lines
    if not fit.fits:
        return [ngettext(
            "This text does not fit on one page, even in the smallest type: its end would be cut off. Shorten it "
            "by about %(lines)s line (about %(chars)s characters) to print it at the normal size (%(normal)s pt).",
            "This text does not fit on one page, even in the smallest type: its end would be cut off. Shorten it "
            "by about %(lines)s lines (about %(chars)s characters) to print it at the normal size (%(normal)s pt).",
            lines) % numbers]
    if reminder:
        return [ngettext(
            "With the reminder paragraph, the reminder letter no longer fits at the normal size: it would be "
            "printed in %(size)s pt instead of %(normal)s pt. Shorten the paragraph or the text by about "
            "%(lines)s line (about %(chars)s characters).",
            "With the reminder paragraph, the reminder letter no longer fits at the normal size: it would be "
            "printed in %(size)s pt instead of %(normal)s pt. Shorten the paragraph or the text by about "
            "%(lines)s lines (about %(chars)s characters).",
            lines) % numbers]
    return [ngettext(
        "This text no longer fits at the normal size: it would be printed in %(size)s pt instead of %(normal)s pt. "
        "Shorten it by about %(lines)s line (about %(chars)s characters) to keep the normal size.",
        "This text no longer fits at the normal size: it would be printed in %(size)s pt instead of %(normal)s pt. "
        "Shorten it by about %(lines)s lines (about %(chars)s characters) to keep the normal size.",
        lines) % numbers]


def letter_check(campaign, letter: LetterSettings, *, join_url: str = "", image: bool = False) -> dict:
    """What the settings page says about a letter before it is saved (nothing is stored): the
    body's fit on the page (``pdf.BodyFit``) for the sample household, the reminder's, warnings
    (size, past deadline, missing contact) and, with ``image``, the sample page as a PNG.
    Raises ``PlaceholderError`` for a text with an unknown placeholder."""
    with translation.override(settings.LANGUAGE_CODE):
        link = _sample_link(join_url)
        values = placeholder_values(campaign=campaign, household=None, code=format_code(samples.code()),
                                    link=link, deadline=deadline(campaign) or samples.deadline(),
                                    places=letter.residents_per_code, contact=contact_text(campaign, letter))
        body = render_body(_body(letter), values)
        reminder = render_body(letter.reminder_text or reminder_intro(), values) + "\n\n" + body
        fit = body_fit(body, letter.title, letter.signature)
        reminder_fit = body_fit(reminder, _("Reminder – %(title)s") % {"title": letter.title}, letter.signature)
        warnings = fit_messages(fit)
        if fit.normal:
            warnings += fit_messages(reminder_fit, reminder=True)
        late = selectors.deadline_warning(campaign, _body(letter))
        if late:
            warnings.append(late)
        if "contact" in placeholders_in(_body(letter)) and not public_contact(campaign):
            warnings.append(_("The campaign has no public contact yet: {contact} prints the sender instead "
                              "(%(sender)s). Fill in the contact in the campaign's settings.")
                            % {"sender": contact_text(campaign, letter)})
        png = None
        if image:
            png = render_letter_png(
                LetterData(address_lines=samples.address_lines(), body=body, code=format_code(samples.code()),
                           qr_url=link, reference="preview"),
                ppi=96, title=letter.title, **selectors.letterhead(campaign, using=letter),
                **_code_block(join_url or link))
    return {"fit": fit, "reminder_fit": reminder_fit, "warnings": warnings, "png": png}
