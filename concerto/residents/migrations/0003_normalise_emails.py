"""Store every address in its normal form (``concerto/residents/emails.py``): lookups are now exact.

Addresses were already lower-cased at sign-up; rows written otherwise (admin, createsuperuser) are
normalised here. Two rows that would become the same address are NOT merged, and an address the
new rules refuse is not changed: both are reported, for an administrator to settle by hand.
"""

from django.db import migrations

from concerto.core.errors import DomainError
from concerto.residents.emails import normalise_email


def normalise(apps, schema_editor):
    User = apps.get_model("residents", "User")
    SignInLink = apps.get_model("residents", "SignInLink")
    taken = set(User.objects.exclude(email=None).values_list("email", flat=True))
    for user in User.objects.exclude(email=None).only("pk", "email").order_by("pk"):
        try:
            normal = normalise_email(user.email)
        except DomainError:
            print(f"\n  residents: account {user.pk} keeps an address the new rules refuse; fix it by hand.")
            continue
        if normal == user.email:
            continue
        if normal in taken:
            print(f"\n  residents: account {user.pk} would collide with another account's address; "
                  "left unchanged, merge or fix by hand.")
            continue
        taken.discard(user.email)
        taken.add(normal)
        User.objects.filter(pk=user.pk).update(email=normal)
    # Unused links are short-lived; the sign-in re-normalises their address anyway.
    for link in SignInLink.objects.filter(used_at=None).only("pk", "email"):
        try:
            normal = normalise_email(link.email)
        except DomainError:
            link.delete()
            continue
        if normal != link.email:
            SignInLink.objects.filter(pk=link.pk).update(email=normal)


class Migration(migrations.Migration):

    dependencies = [
        ("residents", "0002_membership_sector_membership_verification_and_more"),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
