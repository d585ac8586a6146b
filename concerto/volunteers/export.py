"""The organisers' CSV of every volunteer: personal data leaving the platform, so audited."""

import csv
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.audit import log_action
from concerto.core.http import require

from . import rules
from .selectors import call_for_editing, volunteer_households, volunteer_list

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas; names are typed by residents.
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


@transaction.atomic
def volunteers_export(*, user, campaign) -> str:
    """The organisers' CSV of every volunteer (UTF-8 with BOM, ``;`` separated, for spreadsheets).

    Organisers only (anyone else is told it does not exist), and each export is in the audit trail.
    """
    require(rules.can_manage_volunteers(user, campaign))
    call = call_for_editing(campaign)
    volunteers = list(volunteer_list(campaign))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(x) for x in [
        _("Pseudonym"), _("Public name"), _("Sector"), _("Talents"),
        *[d["label"] for d in call.workshop_dates],
        *[q["label"] for q in call.profile_questions],
        _("Consent given on"), _("Consent version"), _("Withdrawn on"),
        _("Household"), _("Volunteers of this household"),
    ]])
    households = volunteer_households(campaign, volunteers)
    talent_labels = {t["code"]: t["label"] for t in call.talents}
    for v in volunteers:
        profile = v.profile if isinstance(v.profile, dict) else {}
        answers = []
        for q in call.profile_questions:
            options = {o["code"]: o["label"] for o in q["options"]}
            answers.append(options.get(profile.get(q["code"], ""), ""))
        writer.writerow([_csv_cell(x) for x in [
            v.pseudonym, v.user.public_name if v.user_id else _("account deleted"), v.sector.name if v.sector_id else "",
            ", ".join(talent_labels[c] for c in v.talents if c in talent_labels),
            *[_("yes") if d["code"] in (v.availability or []) else _("no") for d in call.workshop_dates],
            *answers,
            timezone.localtime(v.consent_at).strftime("%Y-%m-%d %H:%M"), v.consent_version,
            timezone.localtime(v.withdrawn_at).strftime("%Y-%m-%d %H:%M") if v.withdrawn_at else "",
            households[v.pk]["label"] if v.pk in households else "",
            households[v.pk]["size"] if v.pk in households else "",
        ]])
    log_action("selection.volunteers.exported", actor=user, scope=campaign.slug, count=len(volunteers))
    return out.getvalue()
