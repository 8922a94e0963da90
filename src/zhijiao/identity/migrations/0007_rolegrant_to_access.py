"""RoleGrant moved to the access app: the table stays (``identity_rolegrant``), only Django's state moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0006_registry_accounts"),
        ("access", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RoleGrant")],
            database_operations=[],
        ),
    ]
