"""Statistical reports: the annual report of a unit (年报) and the township's monthly
bulletin (月通报), as data (`build_*`) and as PDF or Excel (`*_pdf`, `*_xlsx`).

    report = build_annual_report(unit=unit, period=parse_period("2024"))
    Path("report.pdf").write_bytes(annual_pdf(report))
    bulletin = build_monthly_bulletin(township=township, month="202406")
    Path("bulletin.xlsx").write_bytes(bulletin_xlsx(bulletin))

Every figure comes from renkou.stats.engine. See docs/reports.md.
"""

from __future__ import annotations

from renkou.stats.reports.annual import THEMES, build_annual_report
from renkou.stats.reports.bulletin import RANKING_KEYS, Bulletin, build_monthly_bulletin
from renkou.stats.reports.model import Report, Table
from renkou.stats.reports.pdf import annual_pdf, bulletin_pdf
from renkou.stats.reports.xlsx import annual_xlsx, bulletin_xlsx

__all__ = [
    "RANKING_KEYS",
    "THEMES",
    "Bulletin",
    "Report",
    "Table",
    "annual_pdf",
    "annual_xlsx",
    "build_annual_report",
    "build_monthly_bulletin",
    "bulletin_pdf",
    "bulletin_xlsx",
]
