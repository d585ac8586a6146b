"""The synthesis: each action's versions and the candidates' amendments, the final plan and one
dossier per candidate with its dispatch, and, after the election, the elected list's commitments.

Versions are never edited: every change of an action's text after the workshop is a new
``ActionVersion``, so that any two of them can be compared and each change has an author, a time
and a reason. An accepted amendment makes a version credited to its candidate."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.campaigns.models import Campaign

REASON_MAX = 2000
ANCHOR_MAX = 1000


class VersionStage(models.TextChoices):
    PUBLISHED = "published", _("As published")
    WORKSHOP = "workshop", _("Out of the workshop")
    CONTRIBUTIONS = "contributions", _("After online contributions and door-to-door")
    CANDIDATES = "candidates", _("After the candidates")
    FOLLOW_UP = "follow_up", _("After the election")


class ActionVersion(models.Model):
    """One immutable state of an action's text (title, summary, description)."""

    action = models.ForeignKey("proposals.Action", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    stage = models.CharField(_("stage"), max_length=20, choices=VersionStage.choices)
    title = models.CharField(_("title"), max_length=140)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("description"), blank=True)
    reason = models.TextField(_("why it changed"), max_length=REASON_MAX, blank=True)
    # The amendment this version integrates, which credits its candidate.
    # RESTRICT, not PROTECT: deleting a campaign deletes its versions and amendments together.
    amendment = models.OneToOneField("Amendment", on_delete=models.RESTRICT, null=True, blank=True,
                                     related_name="version")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["action", "number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["action", "number"], name="action_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="action_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.action_id} v{self.number}"


class AmendmentSource(models.TextChoices):
    LIVE = "live", _("Said on the set")
    WRITTEN = "written", _("Written reaction")


class AmendmentStatus(models.TextChoices):
    OPEN = "open", _("To decide")
    CONSULTING = "consulting", _("Participants consulted")
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_MODIFIED = "accepted_modified", _("Accepted with changes")
    DECLINED = "declined", _("Declined")


DECIDED = (AmendmentStatus.ACCEPTED, AmendmentStatus.ACCEPTED_MODIFIED, AmendmentStatus.DECLINED)


class Amendment(models.Model):
    """An improvement a candidate suggested to an action, anchored to a passage of its text.

    The anchor is a W3C Web Annotation TextQuoteSelector (the passage quoted exactly, with a few
    words before and after it), so it survives edits elsewhere in the text; an empty quote anchors
    the amendment to the whole action. Every amendment ends with a decision and its written reason."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="amendments")
    action = models.ForeignKey("proposals.Action", on_delete=models.CASCADE, related_name="amendments")
    candidate = models.ForeignKey("live_event.Candidate", on_delete=models.RESTRICT, related_name="amendments")
    source = models.CharField(_("source"), max_length=10, choices=AmendmentSource.choices)
    # Where it was suggested (one amendment per position or written reaction, collected once).
    position = models.OneToOneField("live_event.Position", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="amendment")
    written_reaction = models.OneToOneField("live_event.WrittenReaction", on_delete=models.SET_NULL, null=True,
                                            blank=True, related_name="amendment")
    text = models.TextField(_("improvement suggested"))
    quote_exact = models.TextField(_("passage"), max_length=ANCHOR_MAX, blank=True)
    quote_prefix = models.CharField(max_length=64, blank=True)
    quote_suffix = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AmendmentStatus.choices,
                              default=AmendmentStatus.OPEN)
    # The participants' opinion, when the organisers ask for it before deciding.
    opinion_until = models.DateTimeField(_("opinions until"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), max_length=REASON_MAX, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["action", "candidate__ballot_order", "pk"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[s.value for s in DECIDED]) | (~Q(decision_reason="") & Q(decided_at__isnull=False)),
                name="amendment_decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.action_id}"

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED


class Opinion(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    UNSURE = "unsure", _("Unsure")


class AmendmentOpinion(models.Model):
    """What a participant of the action's workshop thinks of an amendment, when asked."""

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="opinions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opinion = models.CharField(_("opinion"), max_length=10, choices=Opinion.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["amendment", "user"], name="amendment_opinion_unique")]

    def __str__(self) -> str:
        return f"{self.amendment_id} – {self.opinion}"


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("Final action plan")
    DOSSIER = "dossier", _("Candidate's dossier")


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Document(models.Model):
    """A generated PDF (with its HTML twin rendered from the same data): the final plan, or one
    candidate's dossier. Each generation is a new edition; a published file is never replaced, so
    its SHA-256 stays true."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="synthesis_documents")
    kind = models.CharField(_("document"), max_length=10, choices=DocumentKind.choices)
    candidate = models.ForeignKey("live_event.Candidate", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="dossiers")
    edition = models.PositiveIntegerField(_("edition"))
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices,
                              default=DocumentStatus.QUEUED)
    file = models.FileField(upload_to="synthesis/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The data the PDF was compiled from (``plan.plan_data`` / ``plan.dossier_data``): the HTML twin
    # of this edition prints it, so both carry the same content even after the campaign moves on.
    content = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField()
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "kind", "candidate__ballot_order", "-edition"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind", "candidate", "edition"],
                                    name="document_edition_unique"),
            models.UniqueConstraint(fields=["campaign", "edition"], condition=Q(kind="plan"),
                                    name="document_plan_edition_unique"),
            models.CheckConstraint(condition=Q(kind="plan", candidate__isnull=True)
                                   | Q(kind="dossier", candidate__isnull=False),
                                   name="document_dossier_has_candidate"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.candidate_id or ''} #{self.edition}"


class DispatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")
    OPENED = "opened", _("Opened")
    ACKNOWLEDGED = "acknowledged", _("Receipt acknowledged")


class Dispatch(models.Model):
    """A dossier sent to its candidate: an e-mail with a personal download link.

    ``sent`` means the SMTP server accepted the message; ``opened``, that the link was followed;
    ``acknowledged``, that the candidate confirmed receipt on the download page. The times and the
    file's SHA-256 are published, so that everyone can check the lists were treated alike."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="dispatches")
    candidate = models.ForeignKey("live_event.Candidate", on_delete=models.PROTECT, related_name="dispatches")
    to_email = models.EmailField()
    # Only the token's SHA-256 is kept: the link itself lives in the candidate's mailbox.
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=15, choices=DispatchStatus.choices,
                              default=DispatchStatus.QUEUED)
    message_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-queued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.candidate_id} – {self.status}"


class ElectedList(models.Model):
    """The list the election put in the town hall, as the organisers record it."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="elected_list")
    # RESTRICT, not PROTECT: the candidate stays while the elected list names it, yet deleting the
    # campaign (which takes both) is possible.
    candidate = models.ForeignKey("live_event.Candidate", on_delete=models.RESTRICT, related_name="+")
    round_number = models.PositiveSmallIntegerField(pgettext_lazy("election", "round"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.campaign_id} – {self.candidate_id}"


class CommitmentStatus(models.TextChoices):
    """PolitiFact's Obameter vocabulary: outcomes are rated, not intentions."""

    NOT_RATED = "not_rated", _("Not yet rated")
    IN_THE_WORKS = "in_the_works", _("In the works")
    STALLED = "stalled", _("Stalled")
    KEPT = "kept", _("Kept")
    COMPROMISE = "compromise", _("Compromise")
    BROKEN = "broken", _("Broken")


class Commitment(models.Model):
    """An action the elected list took a position on (committed, or favourable), followed up."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="commitments")
    action = models.ForeignKey("proposals.Action", on_delete=models.CASCADE, related_name="commitments")
    candidate = models.ForeignKey("live_event.Candidate", on_delete=models.RESTRICT, related_name="commitments")
    # The position that made it a commitment ("commits", "favourable", ...), as recorded.
    stance = models.CharField(_("position"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.NOT_RATED)
    status_since = models.DateField(_("since"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["campaign", "action__theme__position", "action__pk"]
        constraints = [models.UniqueConstraint(fields=["action", "candidate"], name="commitment_unique")]

    def __str__(self) -> str:
        return f"{self.candidate_id} → {self.action_id}"


class CommitmentUpdate(models.Model):
    """A dated entry of a commitment's timeline: what happened, the status it led to, the evidence."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    happened_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=CommitmentStatus.choices)
    title = models.CharField(_("title"), max_length=140)
    note = models.TextField(_("what happened"), max_length=REASON_MAX, blank=True)
    evidence_url = models.URLField(_("evidence (link)"), blank=True)
    # A line imported from a CSV keeps its id, so that importing the same file twice adds nothing.
    client_id = models.UUIDField(unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["commitment", "-happened_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.commitment_id} – {self.happened_on}"


class ActionSubscription(models.Model):
    """A person who asked to hear about an action: its final text if it changes, and its follow-up."""

    action = models.ForeignKey("proposals.Action", on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_subscriptions")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "user"], name="action_subscription_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.action_id}"


# -- amend --

class DigestOptIn(models.Model):
    """A resident who asked, in their space, to be told by e-mail when an action they supported
    ends with a text different from the one they supported (one digest per person, once the final
    texts are set). ``sent_at``: the digest went out; it is not sent twice."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="digest_opt_ins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="digest_opt_in_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} – {self.campaign_id}"
