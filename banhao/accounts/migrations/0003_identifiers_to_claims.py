# Claims replace typed identifiers. A migration of its own, between the schema change (0002) and
# the new constraints (0004): PostgreSQL refuses ALTER TABLE with pending trigger events.

from django.db import migrations
from django.utils.crypto import salted_hmac


def _mask(value):
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def identifiers_to_claims(apps, schema_editor):
    # The same digest as banhao.accounts.identity.claim_digest (kept inline: migrations must not
    # change when the app code does).
    User = apps.get_model("accounts", "User")
    IdentityClaim = apps.get_model("accounts", "IdentityClaim")
    for user in User.objects.exclude(id_number="", credit_code="").iterator():
        identifier = user.id_number or user.credit_code
        IdentityClaim.objects.create(
            user=user,
            kind="person" if user.id_number else "enterprise",
            digest=salted_hmac(
                "banhao.accounts.identity-claim", identifier.strip().upper(), algorithm="sha256"
            ).hexdigest(),
            masked=_mask(identifier),
            state="pending",
        )
    User.objects.exclude(id_number="", credit_code="").update(id_number="", credit_code="")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_identity_claims_and_verification"),
    ]

    operations = [
        # Numbers typed before verification existed were never checked: each becomes a claim,
        # and the account opens nothing until its holder verifies.
        migrations.RunPython(identifiers_to_claims, migrations.RunPython.noop),
    ]
