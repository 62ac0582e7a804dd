"""A narrower search table: only the keys and the household's unit.

What a hit shows (sex, birth date, ID number, household) is read from the registry for the
rows of one page. Scope becomes "unit_code under the user's units" with one index instead of
three ancestor-code indexes, and the household index goes (a household id is resolved in the
registry first). A rebuild of a million persons writes less than half the bytes and builds five
indexes instead of eight (bench/bench_import.py, phase "search"). The rows stay valid.
"""

import renkou.search.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_initials_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='searchentry',
            name='search_household_idx',
        ),
        migrations.RemoveIndex(
            model_name='searchentry',
            name='search_village_idx',
        ),
        migrations.RemoveIndex(
            model_name='searchentry',
            name='search_township_idx',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='birth_date',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='city_code',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='county_code',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='household_id',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='id_number',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='province_code',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='sex',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='township_code',
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='village_code',
        ),
        migrations.AlterField(
            model_name='searchentry',
            name='unit_code',
            field=renkou.search.models.ByteOrderCharField(max_length=15),
        ),
    ]
