"""Bar charts as PNG (matplotlib, Agg), Chinese set in the Noto Sans CJK SC the project ships.

The font is bundled in bot/fonts/ (upstream file, SHA-256 checked by a test; see
bot/fonts/PROVENANCE.md), so every machine draws the same glyphs instead of boxes;
nothing depends on fonts the operating system happens to have.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede any pyplot import anywhere

from matplotlib import font_manager
from matplotlib.figure import Figure

#: The Simplified Chinese face of the Noto Sans CJK collection (it also covers Latin).
FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJK-Regular.ttc"
#: Upstream Noto Sans CJK 2.004, as in Debian's fonts-noto-cjk (bot/fonts/PROVENANCE.md).
FONT_SHA256 = "b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a"
_BAR = "#2f6db5"
_lock = threading.Lock()
_family: str | None = None


def font_path() -> Path:
    """The bundled Noto Sans CJK collection file."""
    return Path(__file__).resolve().parent / "fonts" / FONT_FILE


def ensure_font() -> str:
    """Register the bundled CJK font with matplotlib once; return the family to draw with."""
    global _family
    with _lock:
        if _family is None:
            path = str(font_path())
            font_manager.fontManager.addfont(path)
            # matplotlib >= 3.11 registers every face of the collection, SC among them; older
            # versions only the first (JP), which still covers every Chinese character.
            names = [f.name for f in font_manager.fontManager.ttflist if str(f.fname) == path]
            _family = FONT_FAMILY if FONT_FAMILY in names or not names else names[0]
        return _family


def _wrap(text: str, width: int, lines: int | None = None) -> str:
    # Chinese has no spaces, so textwrap cuts by characters; break_long_words does that.
    # With `lines`, a longer text is cut short with "…" (long option texts overlapped).
    wrapped = textwrap.wrap(text, width=width, break_long_words=True)
    if lines is not None and len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], wrapped[lines - 1][: width - 1] + "…"]
    return "\n".join(wrapped) or text


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    annotations: Sequence[str] | None = None,
    xlabel: str = "",
) -> bytes:
    """A horizontal bar chart (long Chinese labels read best on the left) as PNG bytes."""
    family = ensure_font()
    count = max(1, len(labels))
    height = min(16.0, 1.6 + 0.55 * count)
    with _lock:
        # Figure rather than pyplot: no global state, safe to call from a worker thread.
        figure = Figure(figsize=(8.0, height), dpi=110)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        axes.barh(positions, list(values), color=_BAR)
        axes.set_yticks(positions)
        axes.set_yticklabels([_wrap(label, 14, 2) for label in labels], fontfamily=family)
        axes.invert_yaxis()  # first option on top, as in the survey
        axes.set_title(_wrap(title, 34), fontfamily=family, fontsize=13, loc="left")
        if xlabel:
            axes.set_xlabel(xlabel, fontfamily=family)
        top = max([float(v) for v in values] or [0.0])
        axes.set_xlim(0, top * 1.25 if top > 0 else 1)
        for spine in ("top", "right"):
            axes.spines[spine].set_visible(False)
        axes.tick_params(labelfontfamily=family)
        for position, value, note in zip(
            positions, values, annotations or [""] * len(positions), strict=False
        ):
            axes.text(
                float(value) + top * 0.02,
                position,
                note,
                va="center",
                fontfamily=family,
                fontsize=10,
            )
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()
