from django.db import migrations

from tremplin.inclusion.enums import DEFAULT_ELIGIBILITY_CRITERIA


def load(apps, schema_editor):
    criterion_model = apps.get_model("inclusion", "EligibilityCriterion")
    for position, definition in enumerate(DEFAULT_ELIGIBILITY_CRITERIA, start=1):
        criterion_model.objects.update_or_create(
            code=definition.code,
            defaults={
                "label": definition.label,
                "evidence_hint": definition.evidence_hint,
                "validity_months": definition.validity_months,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("inclusion", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
