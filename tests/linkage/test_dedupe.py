"""Duplicates on a hand-made registry: what is found, why, and what must not be."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command

from renkou.core.models import AuditEvent
from renkou.linkage.dedupe import find_duplicates
from renkou.linkage.models import DuplicatePair, PairStatus
from tests.linkage import data


@pytest.fixture
def registry(units: dict[str, Any]) -> None:
    data.registry()


def _pairs(threshold: float = 0.01) -> dict[tuple[str, str], dict[str, Any]]:
    frame = find_duplicates(threshold=threshold)
    return {(r["person_id_a"], r["person_id_b"]): r for r in frame.iter_rows(named=True)}


def test_homophone_pair_found_with_the_agreeing_fields(registry: None) -> None:
    pair = _pairs()[("P01", "P02")]  # 王丽 / 王莉: wáng lì both
    assert pair["reasons"].split(";") == ["name_homophone", "id_exact", "birth_exact",
                                          "same_sex"]
    assert pair["probability"] > 0.99


def test_transposed_id_number_pair(registry: None) -> None:
    pair = _pairs()[("P03", "P04")]
    assert "id_transposed" in pair["reasons"].split(";")
    assert "name_exact" in pair["reasons"].split(";")
    assert pair["probability"] > 0.99


def test_traditional_and_simplified_names_agree(registry: None) -> None:
    pair = _pairs()[("P09", "P10")]  # 張偉 / 张伟, one without a number
    assert pair["reasons"].split(";") == ["name_exact", "id_missing_one_side", "birth_exact",
                                          "same_sex"]


def test_twins_are_not_duplicates(registry: None) -> None:
    found = _pairs()
    # same parents, household and birth date, but different names and numbers
    twins = found.get(("P07", "P08"))
    assert twins is None or twins["probability"] < 0.01
    # and nothing else but the three planted pairs reaches the default threshold
    assert set(_pairs(threshold=0.95)) == {("P01", "P02"), ("P03", "P04"), ("P09", "P10")}


def test_command_writes_csv_and_a_rerun_keeps_pairs_and_decisions(
        registry: None, tmp_path: Path) -> None:
    out = tmp_path / "dups.csv"
    call_command("quality", "duplicates", "--out", str(out))
    frame = pl.read_csv(out, infer_schema_length=0)
    assert frame.columns == ["person_id_a", "person_id_b", "probability", "reasons"]
    assert set(zip(frame["person_id_a"], frame["person_id_b"], strict=True)) == {
        ("P01", "P02"), ("P03", "P04"), ("P09", "P10")}
    assert DuplicatePair.objects.count() == 3
    pair = DuplicatePair.objects.get(person_a="P03")
    assert pair.status == PairStatus.PENDING
    assert (pair.unit_a_id, pair.unit_b_id) == ("410325100201001", "410325100202001")
    call_command("quality", "review", "reject", str(pair.pk), "--note", "两个人")
    call_command("quality", "duplicates", "--out", str(out), "--threshold", "0.5")
    assert DuplicatePair.objects.count() == 3
    pair.refresh_from_db()
    assert pair.status == PairStatus.REJECTED
    assert pair.note == "两个人"
    assert AuditEvent.objects.filter(action="linkage.duplicates.run").count() == 2
    assert AuditEvent.objects.filter(action="linkage.pair.rejected",
                                     object_id=str(pair.pk)).count() == 1


def test_config_file_changes_the_model(registry: None, tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    # a county that distrusts homophones: they weigh nothing
    model.write_text('{"levels": {"name_homophone": {"m": 0.0001, "u": 0.5}}}',
                     encoding="utf-8")
    out = tmp_path / "dups.csv"
    call_command("quality", "duplicates", "--out", str(out), "--config", str(model),
                 "--no-store")
    pairs = pl.read_csv(out, infer_schema_length=0)
    assert ("P01", "P02") not in set(zip(pairs["person_id_a"], pairs["person_id_b"],
                                         strict=True))
    assert DuplicatePair.objects.count() == 0
