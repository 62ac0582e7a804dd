"""An index for searches by pinyin initials alone (queries without a vowel)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='searchentry',
            index=models.Index(fields=['initials', 'person_id'], name='search_initials_idx'),
        ),
    ]
