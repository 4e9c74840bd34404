"""ActivityEvent and PendingEvent now belong to the activity app (its 0001 takes the state over);
nothing happens to the tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0001_initial"),
        ("activity", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ActivityEvent"),
                migrations.DeleteModel(name="PendingEvent"),
            ],
            database_operations=[],
        ),
    ]
