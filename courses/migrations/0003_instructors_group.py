"""The "Instructors" group, holding ``courses.add_course``: instructor access is granted, not
taken (``manage.py grant_instructor USERNAME`` adds a user to it).

The permission is normally created by ``post_migrate``, after every migration ran; on a fresh
database it does not exist yet here, so this creates it (and its content type) the same way
Django would, and ``post_migrate`` then finds them in place.
"""

from django.db import migrations

GROUP = "Instructors"


def create_instructors_group(apps, schema_editor):  # noqa: ANN001, ANN201
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    group_model = apps.get_model("auth", "Group")
    content_type, _ = content_type_model.objects.get_or_create(app_label="courses", model="course")
    permission, _ = permission_model.objects.get_or_create(
        content_type=content_type, codename="add_course", defaults={"name": "Can add course"}
    )
    group, _ = group_model.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_student_code_question"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Unapplying keeps the group: it may hold grants an administrator made, and dropping it would
    # revoke them silently. Applying again finds it in place.
    operations = [migrations.RunPython(create_instructors_group, migrations.RunPython.noop)]
