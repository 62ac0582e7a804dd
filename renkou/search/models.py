"""The search table: one row per person with the keys a search matches on.

Every search is a prefix (range) scan of one B-tree index, on PostgreSQL and SQLite alike:
`key >= q AND key < q || U+10FFFF`. That needs byte-wise ordering, so the key columns are
collated "C" on PostgreSQL (SQLite's default BINARY collation already is). A range rather
than LIKE because SQLite uses an index for LIKE only under conditions Django does not meet.
The table is derived: `search.services` rebuilds it in bulk and refreshes rows on every
person write, so it can always be dropped and rebuilt (`renkou search_rebuild`).
"""

from __future__ import annotations

from typing import Any

from django.db import models


class ByteOrderCharField(models.CharField):  # type: ignore[type-arg]
    """A CharField compared byte-wise: COLLATE "C" on PostgreSQL, BINARY on SQLite."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class SearchEntry(models.Model):
    """The keys of one person. What a hit shows (sex, birth date, household …) is read from
    the registry for the page's rows only, so the table stays narrow: a rebuild writes a
    million short rows and builds five indexes."""

    person_id = ByteOrderCharField(max_length=40, primary_key=True)
    # The unit of the person's household (village or group). Scope is "unit_code is one of
    # the units under the user's": a village holds a few units, a county a few thousand.
    unit_code = ByteOrderCharField(max_length=15)
    name = ByteOrderCharField(max_length=64)
    initials = ByteOrderCharField(max_length=64)  # 张三 → zs
    pinyin = ByteOrderCharField(max_length=255)  # 张三 → zhangsan
    # The ID number reversed: "last 4 digits" becomes an indexed prefix search.
    id_reversed = ByteOrderCharField(max_length=18, blank=True)

    class Meta:
        db_table = "search_entry"
        # Each index serves one search with its ORDER BY, so a page stops after 21 rows;
        # the unit index serves small scopes (a village: a few hundred rows, then sorted).
        indexes = [
            models.Index(fields=["name", "person_id"], name="search_name_idx"),
            models.Index(fields=["pinyin", "initials", "person_id"], name="search_pinyin_idx"),
            models.Index(fields=["initials", "person_id"], name="search_initials_idx"),
            models.Index(fields=["id_reversed", "person_id"], name="search_idtail_idx"),
            models.Index(fields=["unit_code"], name="search_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.person_id})"
