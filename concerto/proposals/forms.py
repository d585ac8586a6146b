from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Origin, ReportKind
from .selectors import SORTS
from .services import BODY_MAX, COMMENT_MAX, SUMMARY_MAX, TITLE_MAX


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    origin = forms.ChoiceField(label=_("Origin"), required=False,
                               choices=[("", _("All origins")), *Origin.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All public actions")), ("published", _("Published")), ("merged", _("Merged"))])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("supports", _("Most supported")), ("newest", _("Newest"))])

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes"))] + [(t.slug, t.name) for t in themes]

    def selects(self, values: dict) -> list[dict]:
        """The select controls with their current value, rendered by hand: Django's widget templates
        cost more than the rest of the list page."""
        return [
            {"name": name, "label": self.fields[name].label, "choices": self.fields[name].choices,
             "current": values.get(name, "")}
            for name in ("theme", "origin", "status", "sort")
        ]

    def values(self) -> dict:
        """Allow-listed values only: invalid ones are dropped, never passed on."""
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or "supports"
        return {
            "q": data.get("q", ""), "theme": data.get("theme", ""), "origin": data.get("origin", ""),
            "status": data.get("status", ""), "sort": sort if sort in SORTS else "supports",
        }


class ContributionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX,
                            help_text=_("A short sentence that says what should be done."))
    summary = forms.CharField(label=_("Summary"), max_length=SUMMARY_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("In one or two sentences: what, and why."))
    body = forms.CharField(label=_("Details (optional)"), required=False, max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Plain text. You may use **bold**, *italics*, lists and links."))
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    place = forms.CharField(label=_("Place (optional)"), required=False, max_length=140,
                            help_text=_("A street, a square, a building…"))

    def __init__(self, *args, themes=(), similar_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("No particular theme"))] + [(str(t.pk), t.name) for t in themes]
        if similar_url:
            # htmx: "Already proposed?" under the title, once typing pauses (the button does it without JS).
            self.fields["title"].widget.attrs.update({
                "hx-get": similar_url, "hx-trigger": "input changed delay:600ms, search",
                "hx-target": "#similar", "hx-swap": "innerHTML", "hx-sync": "this:replace",
                "autocomplete": "off",
            })


# What "Check similar proposals" and the links of "Already proposed?" keep of a draft, in the session.
DRAFT_FIELDS = {"title": TITLE_MAX, "summary": SUMMARY_MAX, "body": BODY_MAX, "theme": 20, "place": 140}


class ModerationEditForm(ContributionForm):
    """What a moderator may correct in a pending contribution: its words and its theme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["place"]
        self.fields["title"].help_text = ""
        self.fields["summary"].help_text = ""
        self.fields["body"].label = _("Details")


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=COMMENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Reason"), choices=[("", _("Choose a reason")), *ReportKind.choices])
    reason = forms.CharField(label=_("In your own words (optional)"), required=False, max_length=300)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason shown to the author"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=1000)


class MergeSearchForm(forms.Form):
    q = forms.CharField(label=_("Search a published action"), required=False, max_length=100,
                        help_text=_("A few letters of its title are enough; accents and typos do not matter."))


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason shown in place of the comment"), max_length=300)
