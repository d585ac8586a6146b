"""Paper forms: printing numbered forms (organisers) and typing them in (organisers and moderators).

Thin views: authorize (``FieldworkNotFound``, the 404 page, for anyone else), call one service or
selector, POST-redirect-GET after a form is saved. Everything works without JavaScript; with it,
``paper.js`` only makes Enter save from the proposal box and the tick boxes.

The entry screen is built for a pile of forms typed with the keyboard alone: the focus starts on the
form number; the ticked actions are typed as their printed numbers ("3 7 12") or ticked in the list;
Enter saves and brings back an empty form. An entry cannot be undone here (its supports already
count, on another account); typing the form again with other answers is the correction path: the
second version is kept apart for an organiser, who decides which one counts.
"""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from concerto.campaigns.selectors import campaign_get
from concerto.core.errors import DomainError, NotFound
from concerto.core.http import require, vary_on_htmx
from concerto.letters.codes import format_code

from .. import rules, selectors, serials, services
from ..serials import format_serial

SESSION_KEY = "fieldwork-paper-%s"
RECENT = 10


class PrintForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("Number of forms"), min_value=1, max_value=services.PRINT_MAX,
                               initial=20, widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                               help_text=gettext_lazy("Each form gets its own number: print as many as you will "
                                                      "hand out, no photocopies."))
    actions = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Actions on the form"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: all the published actions. One form holds about 24 with room for a "
                               "proposal; with more, each form takes several pages."))

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].choices = [
            (a.pk, ngettext("%(title)s (%(n)s support)", "%(title)s (%(n)s supports)", a.support_count)
             % {"title": a.title, "n": a.support_count}) for a in actions]


class EntryForm(forms.Form):
    """One paper form as staff read it. The service checks the rest (serial, code, consent)."""

    serial = forms.CharField(label=gettext_lazy("Form number"), max_length=20,
                             help_text=gettext_lazy("At the top right of the form, for example K7Q-M4X."),
                             widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off",
                                                           "autocapitalize": "characters", "spellcheck": "false",
                                                           "class": "paper-serial"}))
    numbers = forms.CharField(label=gettext_lazy("Ticked actions: their numbers"), max_length=400, required=False,
                              help_text=gettext_lazy("Separated by spaces, for example 3 7 12. Or tick them in "
                                                     "the list below."),
                              widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    ticks = forms.TypedMultipleChoiceField(label=gettext_lazy("Ticked actions"), required=False, coerce=int,
                                           widget=forms.CheckboxSelectMultiple)
    proposal = forms.CharField(label=gettext_lazy("Proposal written on the form"), required=False,
                               max_length=services.PAPER_PROPOSAL_MAX,
                               help_text=gettext_lazy("Copied as written. Enter saves; Shift+Enter starts a new line."),
                               widget=forms.Textarea(attrs={"rows": 3, "data-enter-submits": ""}))
    code = forms.CharField(label=gettext_lazy("Household code"), max_length=30, required=False,
                           help_text=gettext_lazy("Ten characters, dashes optional."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
    initials = forms.CharField(label=gettext_lazy("First name or initials"), max_length=40, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    wants_post = forms.BooleanField(label=gettext_lazy("Wants news by post"), required=False)
    consent = forms.BooleanField(label=gettext_lazy("The « J'accepte » box is ticked"), required=False)

    def __init__(self, *args, choices: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.by_number = {c["n"]: c for c in choices}
        self.fields["ticks"].choices = [(c["n"], f"{c['n']}. {c['title']}") for c in choices]

    def clean_serial(self) -> str:
        # Checked here too, so that a wrong serial and a wrong number are both shown at once.
        try:
            return serials.parse_serial(self.cleaned_data.get("serial", ""))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def focus_first_error(self) -> None:
        """Put the focus (autofocus) on the first field in error rather than on the serial."""
        first = next((name for name in self.fields if name in self.errors), None)
        if first and first != "serial":
            self.fields["serial"].widget.attrs.pop("autofocus", None)
            self.fields[first].widget.attrs["autofocus"] = True

    def clean_numbers(self) -> list[int]:
        raw = self.cleaned_data.get("numbers", "")
        parts = [p for p in re.split(r"[\s,;.+/-]+", raw) if p]
        wrong = [p for p in parts if not p.isdigit()]
        if wrong:
            raise forms.ValidationError(_("Type only numbers, separated by spaces: “%(part)s” is not a number.")
                                        % {"part": wrong[0][:10]})
        numbers = [int(p) for p in parts]
        unknown = sorted({n for n in numbers if n not in self.by_number})
        if unknown:
            top = max(self.by_number, default=0)
            raise forms.ValidationError(ngettext(
                "No action has the number %(numbers)s on the forms (they go from 1 to %(top)s).",
                "No action has the numbers %(numbers)s on the forms (they go from 1 to %(top)s).",
                len(unknown)) % {"numbers": ", ".join(map(str, unknown)), "top": top})
        return numbers

    def record(self) -> dict:
        data = self.cleaned_data
        numbers = set(data["numbers"]) | set(data["ticks"])
        proposal = data["proposal"].strip()
        return {"supports": sorted(self.by_number[n]["id"] for n in numbers),
                "proposals": [{"text": proposal}] if proposal else [], "code": data["code"],
                "initials": data["initials"], "wants_post": data["wants_post"], "consent": {"given": data["consent"]}}


# --- Printing (organisers) -------------------------------------------------------------------------


def _campaign_for_organiser(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_manage_fieldwork(request.user, campaign))
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
def paper_home(request, slug):
    campaign = _campaign_for_organiser(request, slug)
    printable = selectors.paper_printable_actions(campaign)
    form = PrintForm(request.POST or None, actions=printable)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sheets = services.paper_sheets_create(by=request.user, campaign=campaign,
                                                      count=form.cleaned_data["count"],
                                                      action_ids=form.cleaned_data["actions"] or None)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The forms are being made: the PDF is ready in a moment."))
                return redirect("fieldwork:paper_print", slug, sheets[0].print_run_id)
        status = 400
    return render(request, "fieldwork/paper/home.html", {
        "campaign": campaign, "form": form, "prints": selectors.paper_prints(campaign),
        "figures": selectors.paper_figures(campaign), "conflicts": selectors.paper_conflicts(campaign),
        "duplicates": selectors.paper_possible_duplicates(campaign), "published": len(printable), "too_many": len(printable) > selectors.ADVISED_ACTIONS,
    }, status=status)


def _print_context(campaign, run):
    return {"campaign": campaign, "run": run}


@login_required
@require_GET
def paper_print(request, slug, print_id):
    campaign = _campaign_for_organiser(request, slug)
    return render(request, "fieldwork/paper/print.html",
                  _print_context(campaign, selectors.paper_print_get(campaign, print_id)))


@login_required
@require_GET
@vary_on_htmx
def paper_print_progress(request, slug, print_id):
    """The progress box alone, polled by htmx every 2 s while the PDF is made."""
    campaign = _campaign_for_organiser(request, slug)
    return render(request, "fieldwork/paper/_print_progress.html",
                  _print_context(campaign, selectors.paper_print_get(campaign, print_id)))


@login_required
@require_GET
def paper_print_pdf(request, slug, print_id):
    """The PDF, never served from MEDIA_ROOT directly: organisers only, as an attachment."""
    campaign = _campaign_for_organiser(request, slug)
    run = selectors.paper_print_get(campaign, print_id)
    require(run.is_done)
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None
    response = FileResponse(handle, as_attachment=True, filename=f"formulaires-{campaign.slug}-{run.pk}.pdf",
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# --- Typing the forms in (organisers and moderators) -----------------------------------------------


def _session(request, campaign) -> dict:
    return request.session.get(SESSION_KEY % campaign.pk) or {"count": 0, "serials": []}


def _remember(request, campaign, serial: str, created: bool) -> int:
    state = _session(request, campaign)
    state["serials"] = [serial] + [s for s in state["serials"] if s != serial][:RECENT - 1]
    state["count"] += 1 if created else 0
    request.session[SESSION_KEY % campaign.pk] = state
    return state["count"]


def _saved_message(request, answer, count):
    serial = format_serial(answer["id"])
    if answer["status"] == "created":
        messages.success(request, ngettext("Form %(serial)s saved. %(count)s form entered in this session.",
                                           "Form %(serial)s saved. %(count)s forms entered in this session.",
                                           count) % {"serial": serial, "count": count})
        if answer.get("duplicate_of"):
            messages.warning(request, _("Possible duplicate: the same household's form %(others)s has the same "
                                        "ticks. Both are saved; an organiser will check them.")
                             % {"others": ", ".join(format_serial(s) for s in answer["duplicate_of"])})
    elif answer["status"] == "already":
        messages.info(request, _("Form %(serial)s was already entered with these answers: nothing changed.")
                      % {"serial": serial})
    else:
        messages.warning(request, _("Form %(serial)s was already entered with other answers. This version is kept "
                                    "apart for an organiser, who decides which one counts; the first one counts "
                                    "until then.") % {"serial": serial})


FIELD_OF = {"supports": "numbers", "serial": "serial", "code": "code", "proposal": "proposal", "consent": "consent"}


def _correction_initial(campaign, serial: str) -> dict | None:
    """The answers of an entered form, to type it again corrected."""
    entry = selectors.paper_entry_for_correction(campaign, serial)
    if entry is None:
        return None
    return {"serial": format_serial(serial), "numbers": " ".join(map(str, entry["numbers"])),
            "proposal": entry["proposal"], "code": format_code(entry["code"]) if entry["code"] else "",
            "initials": entry["initials"], "wants_post": entry["wants_post"], "consent": True}


@login_required
@require_http_methods(["GET", "POST"])
def paper_entry(request, slug):
    campaign = campaign_get(slug)
    require(rules.can_enter_paper(request.user, campaign))
    choices = selectors.paper_entry_choices(campaign)
    correcting = None
    if request.method == "POST":
        form = EntryForm(request.POST, choices=choices)
        if form.is_valid():
            answer = services.paper_entry_save(by=request.user, campaign=campaign, serial=form.cleaned_data["serial"],
                                               record=form.record())
            if answer["status"] != "refused":
                count = _remember(request, campaign, answer["id"], answer["status"] == "created")
                _saved_message(request, answer, count)
                return redirect("fieldwork:paper_entry", slug)
            field = FIELD_OF.get(answer.get("field"))
            form.add_error(field, answer["message"])
    else:
        initial = None
        if request.GET.get("corriger"):
            initial = _correction_initial(campaign, str(request.GET["corriger"])[:20])
            correcting = initial and initial["serial"]
        form = EntryForm(initial=initial, choices=choices)
    if form.errors:
        form.focus_first_error()
    state = _session(request, campaign)
    ticked = {str(v) for v in (form["ticks"].value() or [])}
    tick_rows = [(n, label, str(n) in ticked) for n, label in form.fields["ticks"].choices]
    return render(request, "fieldwork/paper/entry.html", {
        "campaign": campaign, "form": form, "count": state["count"], "correcting": correcting, "tick_rows": tick_rows,
        "entries": selectors.paper_entries(campaign, state["serials"]),
        "can_print": rules.can_manage_fieldwork(request.user, campaign), "has_choices": bool(choices),
    }, status=400 if form.errors else 200)


urlpatterns = [
    path("terrain/papier/", paper_home, name="paper"),
    path("terrain/papier/impressions/<int:print_id>/", paper_print, name="paper_print"),
    path("terrain/papier/impressions/<int:print_id>/progression/", paper_print_progress, name="paper_print_progress"),
    path("terrain/papier/impressions/<int:print_id>/formulaires.pdf", paper_print_pdf, name="paper_print_pdf"),
    path("terrain/papier/saisie/", paper_entry, name="paper_entry"),
]
