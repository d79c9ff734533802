"""The bundled chart font: the upstream file (SHA-256), with real glyphs for rare names."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTCollection

from bot import charts

#: Rare characters in members' names (Extension A included: 㴔 U+3D14), and common ones.
RARE = "堃燊㴔䶮犇昇珺喆淼镕赟"
COMMON = "工会会员满意度调查，（）！？：《》“”"


def _sc_face() -> object:
    """The Simplified Chinese face of the bundled collection."""
    collection = TTCollection(str(charts.font_path()), lazy=True)
    faces = {face["name"].getDebugName(4): face for face in collection.fonts}
    return faces["Noto Sans CJK SC"]


def test_the_font_is_the_recorded_upstream_file() -> None:
    digest = hashlib.sha256(charts.font_path().read_bytes()).hexdigest()
    assert digest == charts.FONT_SHA256
    provenance = (Path(charts.__file__).parent / "fonts" / "PROVENANCE.md").read_text()
    assert charts.FONT_SHA256 in provenance
    licence = (Path(charts.__file__).parent / "fonts" / "LICENSE-OFL.txt").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_rare_characters_map_to_real_glyphs_not_notdef() -> None:
    face = _sc_face()
    cmap = face.getBestCmap()  # type: ignore[attr-defined]
    glyphs = face.getGlyphSet()  # type: ignore[attr-defined]
    for char in RARE + COMMON:
        name = cmap.get(ord(char))
        assert name is not None and name != ".notdef", f"no glyph for {char!r}"
        # A glyph with no outline would draw nothing: check it has ink.
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        assert pen.bounds is not None, f"empty glyph for {char!r}"


def test_a_chart_of_rare_names_renders_without_a_missing_glyph_warning() -> None:
    with warnings.catch_warnings():
        # matplotlib warns "Glyph … missing from font(s)" when it would draw a box.
        warnings.simplefilter("error")
        png = charts.bar_chart("会员姓名", list(RARE[:6]), [1, 2, 3, 4, 5, 6], xlabel="人数")
    assert png.startswith(b"\x89PNG")
