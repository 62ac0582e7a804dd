"""Registration spells: index the unit alone, not (unit, start, end).

Counting a village or township reads its spells through the index and checks their dates;
the whole county is a sequential scan either way. The narrower index costs about half as
much to build on every first load of a million persons (bench/bench_import.py).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0004_c_collation_ids'),
        ('registry', '0003_c_collation_ids'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='registrationspell',
            name='spell_unit_idx',
        ),
        migrations.AddIndex(
            model_name='registrationspell',
            index=models.Index(fields=['unit'], name='spell_unit_only_idx'),
        ),
    ]
