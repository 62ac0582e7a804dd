"""CJK fonts for PDF reports: one small font per document, cut from Noto Sans CJK SC.

Why: WeasyPrint embeds a subset of every font it uses. With HarfBuzz-subset (libharfbuzz
subset ≥ 4.1) that is fast even for the 19 MB Noto CJK collection, but without it WeasyPrint
falls back to fontTools on the whole collection, which takes 3–9 s per document (the 6.7 s
of PERFORMANCE.md). So we hand WeasyPrint a font that holds exactly the characters of the
document — cut once with fontTools (≈0.4 s per weight, two weights) and cached under
RENKOU_HOME/fonts by a hash of the source font and the character set — and WeasyPrint's own
subsetting has almost nothing left to do, with either backend. A monthly bulletin of one
township uses the same characters every month, so after the first it is always cached.

Coverage: the subset holds every character of the document that the source font has (Noto
Sans CJK SC covers GB 18030's CJK Unified Ideographs and Extension A); a character it lacks
(a rare name in Extension B …) falls through to the next fonts of the CSS stack, so it is
drawn by whatever system font has it, never silently dropped, and it is logged.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import string
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from django.conf import settings

logger = logging.getLogger(__name__)

FontMode = Literal["subset", "system"]

FAMILY = "Noto Sans CJK SC"
# The name the subset fonts get in @font-face; falls back to the system fonts after it.
SUBSET_FAMILY = "Renkou CJK"
FALLBACK_STACK = f'"{FAMILY}", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", sans-serif'

# Always in the subset, so documents differing only in numbers share one cached font; also
# characters CSS generates that are not in the HTML text (list bullets, "第 N 页 共 M 页").
BASE_CHARS = string.printable.strip() + " —–−…‰％•∞（）：，、。；“”《》×·<>第页共合计"

_CACHE_LIMIT = 400  # subset files kept; the oldest are removed beyond this


@dataclass(frozen=True, slots=True)
class FontFile:
    path: Path
    index: int  # face index inside a .ttc collection
    weight: int  # CSS font-weight


@lru_cache(maxsize=8)
def find_font(family: str = FAMILY, style: str = "Regular") -> FontFile | None:
    """The file (and face index) fontconfig has for `family` in `style`, or None."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        out = subprocess.run(
            [fc_match, "--format", "%{file}\n%{index}\n%{family}", f"{family}:style={style}"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.split("\n")
    if len(parts) < 3 or family not in parts[2].split(","):
        return None  # fontconfig substituted another family: the CJK font is not installed
    path = Path(parts[0])
    if not path.is_file():
        return None
    return FontFile(path=path, index=int(parts[1] or 0), weight=700 if style == "Bold" else 400)


def cache_dir() -> Path:
    return Path(settings.RENKOU_HOME) / "fonts"


def document_chars(text: str) -> str:
    """The characters to keep: those of the document plus a fixed base set."""
    chars = {c for c in text if c.isprintable() and not c.isspace()} | set(BASE_CHARS)
    chars.add(" ")
    return "".join(sorted(chars))


def subset_font(font: FontFile, chars: str, directory: Path | None = None) -> Path:
    """A font file holding only `chars` of `font`, made once and cached by content hash."""
    directory = directory or cache_dir()
    stat = font.path.stat()
    key = hashlib.sha256(
        f"{font.path}|{font.index}|{stat.st_size}|{stat.st_mtime_ns}|{chars}".encode()
    ).hexdigest()[:20]
    target = directory / f"{font.path.stem}-{font.index}-{key}.otf"
    if target.is_file():
        return target
    from fontTools import subset
    from fontTools.ttLib import TTFont

    directory.mkdir(parents=True, exist_ok=True)
    # recalcBBoxes=False: keep the collection's bounding boxes instead of recomputing them
    # from every kept outline (a third of the time; a larger box is harmless).
    ttfont = TTFont(str(font.path), fontNumber=font.index, lazy=True, recalcBBoxes=False)
    cmap = ttfont.getBestCmap()
    missing = [c for c in chars if ord(c) not in cmap and not c.isspace()]
    if missing:
        logger.warning("font %s lacks %d characters of the document (drawn with a fallback "
                       "font): %s", font.path.name, len(missing), "".join(missing[:50]))
    options = subset.Options()
    options.notdef_outline = True
    options.hinting = True  # removing CFF hints costs more time than the bytes it saves
    # No OpenType layout: horizontal Chinese needs none, Noto CJK's digits are tabular by
    # default, and WeasyPrint drops GSUB/GPOS when embedding anyway. Keeping them doubles
    # the time (their closure over 65,000 glyphs).
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(ttfont)
    # Write next to the target and rename: concurrent reports never read a half file.
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".otf.tmp")
    os.close(fd)
    try:
        ttfont.save(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _prune(directory)
    return target


def _prune(directory: Path) -> None:
    files = sorted(directory.glob("*.otf"), key=lambda p: p.stat().st_mtime)
    for old in files[:-_CACHE_LIMIT]:
        old.unlink(missing_ok=True)


def family_stack(mode: FontMode = "subset") -> str:
    """The CSS font-family list documents (and their SVG charts) use in `mode`."""
    if mode == "subset" and find_font(FAMILY, "Regular") is not None:
        return f'"{SUBSET_FAMILY}", {FALLBACK_STACK}'
    return FALLBACK_STACK


def font_css(text: str, mode: FontMode = "subset") -> tuple[str, str]:
    """(@font-face rules, font-family stack) for a document whose text is `text`.

    mode "subset": cut per-document subsets (see the module docstring); "system": let
    WeasyPrint use the installed font directly (the baseline the benchmark compares with).
    Without the CJK font installed, both give the system stack and a warning: WeasyPrint
    then draws Chinese as boxes, which the tests would catch.
    """
    regular = find_font(FAMILY, "Regular")
    if regular is None:
        logger.warning("%s is not installed (Debian: fonts-noto-cjk); Chinese text in PDF "
                       "reports will not render", FAMILY)
        return "", FALLBACK_STACK
    if mode == "system":
        return "", FALLBACK_STACK
    chars = document_chars(text)
    rules: list[str] = []
    for font in (regular, find_font(FAMILY, "Bold")):
        if font is None:
            continue
        path = subset_font(font, chars)
        rules.append(
            f'@font-face {{ font-family: "{SUBSET_FAMILY}"; src: url("{path.as_uri()}"); '
            f"font-weight: {font.weight}; font-style: normal; }}"
        )
    return "\n".join(rules), family_stack(mode)
