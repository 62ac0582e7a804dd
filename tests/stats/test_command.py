"""`renkou indicators`: the SPEC §3 JSON shape, CSV and XLSX, and usage errors (exit 2)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from renkou.stats.catalog import CATALOG, CODES
from tests import factories as f
from tests.stats.fixture_county import VILLAGE_D


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_json_shape_for_one_unit(county):
    doc = json.loads(run("--unit", f.COUNTY, "--period", "2024"))
    assert list(doc) == ["period", "from", "to", "rows"]
    assert (doc["period"], doc["from"], doc["to"]) == ("2024", "2024-01-01", "2024-12-31")
    [row] = doc["rows"]
    assert list(row) == ["unit", "name", "values"]
    assert (row["unit"], row["name"]) == (f.COUNTY, "嵩县")
    assert list(row["values"]) == list(CODES)
    values = row["values"]
    assert values["POP_END"] == 19
    assert values["BIRTHS"] == 6
    assert values["CBR"] == round(6 / 17 * 1000, 6) == 352.941176
    assert values["TFR"] == 25.0
    assert values["SRB"] == 100.0


def test_json_is_utf8_not_escaped_and_nulls_are_null(county):
    text = run("--unit", f.COUNTY, "--period", "202403", "--by", "village")
    assert "李家村" in text
    assert "\\u" not in text
    doc = json.loads(text)
    assert doc["period"] == "202403"
    assert doc["to"] == "2024-03-31"
    assert [r["unit"] for r in doc["rows"]] == [f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C,
                                                VILLAGE_D]
    for row in doc["rows"]:
        assert row["values"]["CBR"] is None  # a month: rates are null
        assert set(row["values"]) == set(CODES)


def test_stat_year_period(county):
    doc = json.loads(run("--unit", f.COUNTY, "--period", "2024Oct"))
    assert (doc["period"], doc["from"], doc["to"]) == ("2024Oct", "2024-10-01", "2025-09-30")
    assert doc["rows"][0]["values"]["GFR"] == 375.0


def test_csv_has_bom_header_and_one_line_per_unit(county, tmp_path):
    target = tmp_path / "out.csv"
    assert run("--unit", f.COUNTY, "--period", "2024", "--by", "village", "--format", "csv",
               "--out", str(target)) == ""
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["unit"] for r in rows] == [f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C, VILLAGE_D]
    assert list(rows[0]) == ["unit", "name", *CODES]
    assert rows[0]["name"] == "李家村"
    assert rows[0]["BIRTHS"] == "5"
    assert rows[3]["CBR"] == ""  # null
    assert float(rows[0]["CBR"]) == round(5 / 10.5 * 1000, 6)


def test_csv_to_stdout(county):
    text = run("--unit", f.VILLAGE_A, "--period", "2024", "--format", "csv")
    assert text.startswith("\ufeffunit,name,POP_START")
    assert len(text.strip().splitlines()) == 2


def test_xlsx_reads_back(county, tmp_path):
    target = tmp_path / "out.xlsx"
    run("--unit", f.COUNTY, "--period", "2024", "--by", "village", "--format", "xlsx",
        "--out", str(target))
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位代码", "单位名称", f"{CATALOG[0].name_zh}({CATALOG[0].unit})")
    assert list(rows[1]) == ["unit", "name", *CODES]
    assert [r[0] for r in rows[2:]] == [f.VILLAGE_A, f.VILLAGE_B, f.VILLAGE_C, VILLAGE_D]
    births = 2 + CODES.index("BIRTHS")
    assert rows[2][births] == 5
    assert rows[5][2 + CODES.index("CBR")] is None
    assert sheet.freeze_panes == "C3"


@pytest.mark.parametrize(("args", "message"), [
    (["--unit", "999999999999", "--period", "2024"], "999999999999"),
    (["--unit", f.COUNTY, "--period", "2024X"], "2024X"),
    (["--unit", f.COUNTY, "--period", "2024", "--by", "hamlet"], "hamlet"),
    (["--unit", f.VILLAGE_A, "--period", "2024", "--by", "county"], "county"),
    (["--unit", f.COUNTY, "--period", "2024", "--format", "xlsx"], "--out"),
])
def test_usage_errors_exit_2(county, args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
    assert message in str(caught.value)


def test_cli_exit_status_2_on_a_fresh_database(tmp_path):
    # The real `renkou` entry point (schema created on the fly), not call_command.
    renkou = Path(sys.executable).parent / "renkou"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
           "RENKOU_HOME": str(tmp_path)}
    done = subprocess.run([str(renkou), "indicators", "--unit", "410325000000", "--period",
                           "2024"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "410325000000" in done.stderr
