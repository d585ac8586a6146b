"""The volunteers' models moved from ``selection`` to ``volunteers`` in Django's state only: a database
that holds volunteers, a call, seats, permissions and audit entries keeps every row and every link."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def _before(latest):
    """Every app at its latest migration except selection before the move, and no volunteers app (nor
    workshops, which came later and points at selection's seats)."""
    kept = [node for node in latest if node[0] not in ("selection", "volunteers", "workshops")]
    return [*kept, ("selection", "0006_selection_archived"), ("volunteers", None), ("workshops", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_its_volunteers_seats_permissions_and_audit_targets():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(_before(latest))
    Organisation = old.get_model("campaigns", "Organisation")
    Campaign = old.get_model("campaigns", "Campaign")
    Call = old.get_model("selection", "VolunteerCall")
    OldVolunteer = old.get_model("selection", "Volunteer")
    Selection = old.get_model("selection", "Selection")
    Seat = old.get_model("selection", "SelectionSeat")
    AuditEntry = old.get_model("core", "AuditEntry")
    ContentType = old.get_model("contenttypes", "ContentType")

    organisation = Organisation.objects.create(name="Collectif", slug="collectif")
    campaign = Campaign.objects.create(organisation=organisation, name="Quartier", slug="quartier",
                                       territory="Quartier")
    Call.objects.create(campaign=campaign, is_open=True, consent_text="J’accepte.")
    volunteer = OldVolunteer.objects.create(campaign=campaign, pseudonym="V-7K3Q", talents=["dessin"],
                                         consent_at=timezone.now(), consent_version=1)
    selection = Selection.objects.create(campaign=campaign, title="Ateliers", panel_size=2)
    Seat.objects.create(selection=selection, volunteer=volunteer, status="panel")
    AuditEntry.objects.create(code="selection.volunteer.added", scope="quartier",
                              target=f"selection.volunteer:{volunteer.pk}", data={"pseudonym": "V-7K3Q"})
    content_type_id = ContentType.objects.get_or_create(app_label="selection", model="volunteer")[0].pk

    new = _migrate(latest)
    Volunteer = new.get_model("volunteers", "Volunteer")
    moved = Volunteer.objects.get(pk=volunteer.pk)
    assert (moved.pseudonym, moved.talents) == ("V-7K3Q", ["dessin"])
    assert new.get_model("volunteers", "VolunteerCall").objects.get(campaign_id=campaign.pk).is_open
    seat = new.get_model("selection", "SelectionSeat").objects.get(selection_id=selection.pk)
    assert seat.volunteer.pseudonym == "V-7K3Q"
    entry = new.get_model("core", "AuditEntry").objects.get(code="selection.volunteer.added")
    assert entry.target == f"volunteers.volunteer:{volunteer.pk}"
    assert entry.data == {"pseudonym": "V-7K3Q"}
    content_type = new.get_model("contenttypes", "ContentType").objects.get(pk=content_type_id)
    assert (content_type.app_label, content_type.model) == ("volunteers", "volunteer")
