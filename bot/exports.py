"""Excel exports with XlsxWriter, written row by row (constant_memory) so size stays flat.

Generic on purpose: any feature hands over headers and rows of plain values.

    with XlsxStream(path, ["Name", "Answer"]) as sheet:
        async for row in rows():
            sheet.write_row(row)
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType

import xlsxwriter

Cell = str | int | float | bool | date | datetime | None

#: Excel's limit on the characters in one cell.
CELL_MAX = 32767
#: Characters XML 1.0 cannot carry; members can still paste them into a text answer.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WIDTH_MIN, _WIDTH_MAX = 8.0, 60.0


def clean_text(value: str) -> str:
    """A string Excel accepts as a cell: no control characters, at most 32767 characters."""
    cleaned = _ILLEGAL.sub("", value)
    return cleaned if len(cleaned) <= CELL_MAX else cleaned[: CELL_MAX - 1] + "…"


class XlsxStream:
    """One worksheet written top to bottom; rows cannot be revisited (constant memory)."""

    def __init__(
        self,
        target: str | Path,
        headers: Sequence[str],
        *,
        sheet: str = "Sheet1",
        widths: Sequence[float] | None = None,
    ) -> None:
        self._book = xlsxwriter.Workbook(
            str(target), {"constant_memory": True, "remove_timezone": True}
        )
        self._sheet = self._book.add_worksheet(sheet[:31])
        self._bold = self._book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self._day = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._moment = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for column, header in enumerate(headers):
            width = widths[column] if widths and column < len(widths) else len(header) * 1.6 + 2
            self._sheet.set_column(column, column, max(_WIDTH_MIN, min(_WIDTH_MAX, width)))
            self._sheet.write_string(0, column, clean_text(header), self._bold)
        self._sheet.freeze_panes(1, 0)
        self.rows = 0
        self._closed = False

    def write_row(self, values: Sequence[Cell]) -> None:
        """Append one row below the last."""
        row = self.rows + 1
        for column, value in enumerate(values):
            self._write(row, column, value)
        self.rows += 1

    def _write(self, row: int, column: int, value: Cell) -> None:
        sheet = self._sheet
        if value is None:
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, int | float):
            sheet.write_number(row, column, value)
        elif isinstance(value, datetime):
            sheet.write_datetime(row, column, value, self._moment)
        elif isinstance(value, date):
            sheet.write_datetime(
                row, column, datetime(value.year, value.month, value.day), self._day
            )
        else:
            # write_string, never write(): text starting with "=" must stay text, not a formula
            # (a member's answer must not run in the officer's spreadsheet).
            sheet.write_string(row, column, clean_text(str(value)))

    def close(self) -> None:
        """Finish the file (once; leaving the with block after close() is fine)."""
        if not self._closed:
            self._closed = True
            self._book.close()

    def __enter__(self) -> XlsxStream:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def write_xlsx(
    target: str | Path,
    rows: Iterable[Sequence[Cell]],
    headers: Sequence[str],
    *,
    sheet: str = "Sheet1",
    widths: Sequence[float] | None = None,
) -> int:
    """Write rows (any iterator: nothing is held in memory) to a new .xlsx; return the count."""
    with XlsxStream(target, headers, sheet=sheet, widths=widths) as stream:
        for row in rows:
            stream.write_row(row)
        return stream.rows


def xlsx_bytes(
    rows: Iterable[Sequence[Cell]],
    headers: Sequence[str],
    *,
    sheet: str = "Sheet1",
    widths: Sequence[float] | None = None,
) -> bytes:
    """The same, returned as bytes for sending (constant_memory needs a real file)."""
    with tempfile.TemporaryDirectory(prefix="xlsx-") as folder:
        path = Path(folder) / "export.xlsx"
        write_xlsx(path, rows, headers, sheet=sheet, widths=widths)
        return path.read_bytes()


def temporary_path() -> tuple[tempfile.TemporaryDirectory[str], Path]:
    """A folder that cleans itself up and a file path in it, for an XlsxStream."""
    folder = tempfile.TemporaryDirectory(prefix="xlsx-")
    return folder, Path(folder.name) / "export.xlsx"
