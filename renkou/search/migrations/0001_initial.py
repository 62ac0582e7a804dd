"""The search table (see renkou/search/models.py).

PostgreSQL's varchar_pattern_ops twin of the primary key is dropped: searches use range
scans on "C"-collated columns, and the twin would cost seconds on every full rebuild.
"""

from typing import Any


import renkou.search.models
from django.db import migrations, models


def drop_like_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s "
                       "AND indexname LIKE %s", ["search_entry", "%\\_like"])
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('person_id', renkou.search.models.ByteOrderCharField(max_length=40, primary_key=True, serialize=False)),
                ('household_id', renkou.search.models.ByteOrderCharField(max_length=40)),
                ('unit_code', models.CharField(max_length=15)),
                ('province_code', models.CharField(blank=True, max_length=15)),
                ('city_code', models.CharField(blank=True, max_length=15)),
                ('county_code', models.CharField(blank=True, max_length=15)),
                ('township_code', models.CharField(blank=True, max_length=15)),
                ('village_code', models.CharField(blank=True, max_length=15)),
                ('name', renkou.search.models.ByteOrderCharField(max_length=64)),
                ('initials', renkou.search.models.ByteOrderCharField(max_length=64)),
                ('pinyin', renkou.search.models.ByteOrderCharField(max_length=255)),
                ('id_number', models.CharField(blank=True, max_length=18)),
                ('id_reversed', renkou.search.models.ByteOrderCharField(blank=True, max_length=18)),
                ('sex', models.PositiveSmallIntegerField()),
                ('birth_date', models.DateField(blank=True, null=True)),
            ],
            options={
                'db_table': 'search_entry',
                'indexes': [models.Index(fields=['name', 'person_id'], name='search_name_idx'), models.Index(fields=['pinyin', 'initials', 'person_id'], name='search_pinyin_idx'), models.Index(fields=['id_reversed', 'person_id'], name='search_idtail_idx'), models.Index(fields=['household_id'], name='search_household_idx'), models.Index(fields=['village_code'], name='search_village_idx'), models.Index(fields=['township_code'], name='search_township_idx'), models.Index(fields=['unit_code'], name='search_unit_idx')],
            },
        ),
        migrations.RunPython(drop_like_indexes, migrations.RunPython.noop),
    ]
