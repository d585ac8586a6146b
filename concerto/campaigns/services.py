"""Writes about organisations, campaigns and their consent texts.

``campaigns`` stands below ``residents``, which owns roles: these services cannot check who acts.
Every caller checks first, with ``residents.rules`` (``can_create_campaign``, ``can_manage_campaign``):
the back office in ``dashboard.views_campaigns`` and ``dashboard.services.campaign_open``; the
first-run command and the demo loader act for nobody (``by=None``, audited ``via: "system"``).
``by`` is always required, so no caller forgets to say who acted.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.audit import log_action
from concerto.core.errors import FieldErrors
from concerto.core.text import clean_block, clean_line

from .errors import (
    CampaignAlreadyArchived,
    CampaignNotArchived,
    ConsentTextUnchanged,
    OrganisationExists,
)
from .models import Campaign, ConsentText, Organisation, SupportLevel

# What a campaign's address may look like: it is printed on letters, so short, lowercase, no accents.
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 80
PHONE_RE = re.compile(r"[0-9+()./ \u00a0-]*")
CONSENT_MAX = 5000
NOTICE_MAX = 20000

# The fields a campaign form may set, with their defaults for a new campaign.
CAMPAIGN_FIELDS = {
    "name": "", "slug": "", "territory": "", "description": "",
    "support_level": SupportLevel.ANY_RESIDENT, "allow_email_join": True, "is_public": True,
    "contact_name": "", "contact_email": "", "contact_phone": "", "contact_note": "",
    "legal_notice": "", "privacy_notice": "", "languages": None,
}


def _audit(by) -> dict:
    return {} if by is not None else {"via": "system"}


def organisation_create_by_system(*, name: str, slug: str, website: str = "") -> Organisation:
    """The first-run command (``manage.py concerto_setup``) only: nobody is signed in yet."""
    name = clean_line(name)
    errors = {}
    if not name:
        errors["name"] = _("Give the organisation a name.")
    elif len(name) > 200:
        errors["name"] = _("The name is limited to 200 characters.")
    slug_error = _slug_problem(slug)
    if slug_error:
        errors["slug"] = slug_error
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        if Organisation.objects.filter(slug=slug).exists():
            raise OrganisationExists()
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(name=name, slug=slug, website=website)
        except IntegrityError:
            raise OrganisationExists() from None
        log_action("campaigns.organisation.created", actor=None, target=organisation, via="system")
    return organisation


def _slug_problem(slug: str) -> str | None:
    if not slug:
        return _("Choose an address for the campaign, e.g. “saint-jerome”.")
    if len(slug) > SLUG_MAX:
        return _("The address is limited to %(max)s characters.") % {"max": SLUG_MAX}
    if not SLUG_RE.fullmatch(slug):
        return _("Use only lowercase letters without accents, digits and single hyphens between words, "
                 "e.g. “saint-jerome”.")
    return None


def _languages_clean(value) -> list[str] | None:
    known = [code for code, _name in settings.LANGUAGES]
    if not isinstance(value, (list, tuple)) or not value:
        return None
    chosen = [code for code in known if code in value]  # the site's order, no duplicates
    if len(chosen) != len(set(value)):
        return None
    return chosen


def campaign_fields_clean(fields: dict, *, campaign: Campaign | None = None) -> dict:
    """The values to store, or ``FieldErrors`` with every problem at once (French sentences)."""
    data, errors = {}, {}
    for key in ("name", "territory", "contact_name", "contact_phone", "contact_note"):
        if key in fields:
            data[key] = clean_line(str(fields[key] or ""))
    for key in ("description", "legal_notice", "privacy_notice"):
        if key in fields:
            data[key] = clean_block(str(fields[key] or ""))
    if "name" in data and not data["name"]:
        errors["name"] = _("Give the campaign a name.")
    elif len(data.get("name", "")) > 200:
        errors["name"] = _("The name is limited to 200 characters.")
    if "territory" in data and not data["territory"]:
        errors["territory"] = _("Say which neighbourhood or town the campaign covers.")
    elif len(data.get("territory", "")) > 200:
        errors["territory"] = _("The territory is limited to 200 characters.")
    if "slug" in fields:
        slug = str(fields["slug"] or "").strip()
        problem = _slug_problem(slug)
        if problem is None and Campaign.objects.filter(slug=slug).exclude(pk=getattr(campaign, "pk", None)).exists():
            problem = _("Another campaign already uses this address: choose another one.")
        if problem:
            errors["slug"] = problem
        data["slug"] = slug
    if len(data.get("contact_name", "")) > 120:
        errors["contact_name"] = _("The contact name is limited to 120 characters.")
    if "contact_email" in fields:
        email = str(fields["contact_email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["contact_email"] = _("This e-mail address is not valid.")
        data["contact_email"] = email
    phone = data.get("contact_phone", "")
    if len(phone) > 40 or not PHONE_RE.fullmatch(phone) or (phone and not any(c.isdigit() for c in phone)):
        errors["contact_phone"] = _("Type a telephone number with digits, spaces, dots or hyphens only.")
    if len(data.get("contact_note", "")) > 300:
        errors["contact_note"] = _("This text is limited to 300 characters.")
    for key in ("legal_notice", "privacy_notice"):
        if len(data.get(key, "")) > NOTICE_MAX:
            errors[key] = _("This text is limited to %(max)s characters.") % {"max": NOTICE_MAX}
    if "support_level" in fields:
        if fields["support_level"] not in SupportLevel.values:
            errors["support_level"] = _("Choose who may support and propose.")
        data["support_level"] = fields["support_level"]
    for key in ("allow_email_join", "is_public"):
        if key in fields:
            data[key] = bool(fields[key])
    if "languages" in fields:
        languages = _languages_clean(fields["languages"])
        if languages is None:
            errors["languages"] = _("Choose at least one language among those the site offers.")
        data["languages"] = languages
    if errors:
        raise FieldErrors(errors)
    return data


def campaign_create(*, by, organisation: Organisation, name: str, slug: str, territory: str, **fields) -> Campaign:
    """A new campaign of ``organisation``; returns it. Keyword arguments: those of ``CAMPAIGN_FIELDS``.

    The caller has checked ``residents.rules.can_create_campaign(by, organisation)``; the back office
    goes through ``dashboard.services.campaign_open``, which also makes ``by`` an organiser of it.
    A campaign starts with no phase, theme or sector: the launch checklist lists what is missing.
    """
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"campaign_create: unknown fields {sorted(unknown)}")
    values = {key: default for key, default in CAMPAIGN_FIELDS.items() if default is not None}
    values.update(fields, name=name, slug=slug, territory=territory)
    if values.get("languages") is None:
        values["languages"] = [code for code, _name in settings.LANGUAGES]
    data = campaign_fields_clean(values)
    with transaction.atomic():
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(organisation=organisation, **data)
        except IntegrityError:  # the same address taken meanwhile
            raise FieldErrors({"slug": _("Another campaign already uses this address: choose another one.")}) from None
        log_action("campaigns.campaign.created", actor=by, scope=campaign.slug, target=campaign,
                   organisation=organisation.slug, **_audit(by))
    return campaign


def campaign_update(*, by, campaign: Campaign, slug_locked: bool, **fields) -> Campaign:
    """Change the campaign's settings (only the fields given). The caller has checked
    ``residents.rules.can_manage_campaign``.

    ``slug_locked``: letters were generated, and printed letters carry the address (``/c/<slug>/``);
    the caller reads it from ``letters.selectors.letters_generated`` (campaigns cannot). The address
    is then refused, with the reason, and nothing changes.
    """
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"campaign_update: unknown fields {sorted(unknown)}")
    data = campaign_fields_clean(fields, campaign=campaign)
    if slug_locked and data.get("slug", campaign.slug) != campaign.slug:
        raise FieldErrors({"slug": _("Letters were already generated with this address: it can no longer "
                                     "change, or residents could not find the campaign from their letter.")})
    changed = sorted(key for key, value in data.items() if getattr(campaign, key) != value)
    if not changed:
        return campaign
    old_slug = campaign.slug
    with transaction.atomic():
        for key in changed:
            setattr(campaign, key, data[key])
        try:
            with transaction.atomic():
                campaign.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            campaign.slug = old_slug
            raise FieldErrors({"slug": _("Another campaign already uses this address: choose another one.")}) from None
        extra = {"old_slug": old_slug} if "slug" in changed else {}
        log_action("campaigns.campaign.updated", actor=by, scope=campaign.slug, target=campaign, fields=changed,
                   **extra, **_audit(by))
    return campaign


def campaign_archive(*, by, campaign: Campaign) -> Campaign:
    """The campaign leaves the public lists and accepts no new participation; nothing is erased.
    The caller has checked ``residents.rules.can_manage_campaign``."""
    with transaction.atomic():
        now = timezone.now()
        if not Campaign.objects.filter(pk=campaign.pk, archived_at__isnull=True).update(archived_at=now,
                                                                                        updated_at=now):
            raise CampaignAlreadyArchived()
        campaign.archived_at = now
        log_action("campaigns.campaign.archived", actor=by, scope=campaign.slug, target=campaign, **_audit(by))
    return campaign


def campaign_restore(*, by, campaign: Campaign) -> Campaign:
    """Undo ``campaign_archive``. The caller has checked ``residents.rules.can_manage_campaign``."""
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, archived_at__isnull=False).update(archived_at=None,
                                                                                         updated_at=timezone.now()):
            raise CampaignNotArchived()
        campaign.archived_at = None
        log_action("campaigns.campaign.restored", actor=by, scope=campaign.slug, target=campaign, **_audit(by))
    return campaign


def consent_text_add(*, by, campaign: Campaign, text: str) -> ConsentText:
    """A new version of the text residents accept when joining; earlier versions are kept as they were.
    The caller has checked ``residents.rules.can_manage_campaign``."""
    text = clean_block(text or "")
    if not text:
        raise FieldErrors({"text": _("Write the text residents accept when they join.")})
    if len(text) > CONSENT_MAX:
        raise FieldErrors({"text": _("This text is limited to %(max)s characters.") % {"max": CONSENT_MAX}})
    with transaction.atomic():
        # The campaign row's lock orders two editors: each gets its own version number.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        current = ConsentText.objects.filter(campaign=campaign).order_by("-version").first()
        if current is not None and current.text == text:
            raise ConsentTextUnchanged()
        version = (ConsentText.objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"] or 0) + 1
        consent = ConsentText.objects.create(campaign=campaign, version=version, text=text,
                                             created_by=by if getattr(by, "is_authenticated", False) else None)
        log_action("campaigns.consent_text.added", actor=by, scope=campaign.slug, target=consent, version=version,
                   **_audit(by))
    return consent
