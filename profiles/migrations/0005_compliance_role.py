from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Compliance")


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Compliance").delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0004_profile_is_app")]

    operations = [migrations.RunPython(create_role, remove_role)]
