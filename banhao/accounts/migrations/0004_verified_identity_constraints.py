# One verified account per identity; an identifier on an account only once verified.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_identifiers_to_claims"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('id_number', ''), _negated=True), ('identity_verified_at__isnull', False)), fields=('id_number',), name='accounts_user_unique_verified_id_number'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('credit_code', ''), _negated=True), ('identity_verified_at__isnull', False)), fields=('credit_code',), name='accounts_user_unique_verified_credit_code'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('credit_code', ''), ('id_number', '')), ('identity_verified_at__isnull', False), _connector='OR'), name='accounts_user_identifier_only_when_verified'),
        ),
    ]
