"""Front-end files: vendored from the npm registry with checksums, never from a CDN."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "renkou" / "web" / "static" / "vendor"
TEMPLATES = ROOT / "renkou" / "web" / "templates"


def test_vendored_files_match_their_checksums():
    lines = (VENDOR / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    assert {"htmx/htmx.min.js", "echarts/echarts.common.min.js", "htmx/LICENSE",
            "echarts/LICENSE", "echarts/NOTICE"} <= set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert on_disk - {"SHA256SUMS"} == set(listed)


def test_pages_load_nothing_from_other_servers():
    remote = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//""")
    offenders = [str(p.relative_to(ROOT)) for p in TEMPLATES.rglob("*.html")
                 if remote.search(p.read_text())]
    assert offenders == []


def test_base_page_uses_the_vendored_htmx(client, db):
    html = client.get("/login/").content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in html
