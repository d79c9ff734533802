"""A small reader of the SQLite file format: b-tree pages, cells in the order they lie on disk.

The page-order attack must not go through SQL (SQL returns rows in key order and
hides where a cell was written); this reads the file as an attacker with a hex
editor would: each leaf page's cells with their byte offset, and the decoded record.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

_LEAF_TABLE, _INTERIOR_TABLE, _LEAF_INDEX, _INTERIOR_INDEX = 0x0D, 0x05, 0x0A, 0x02


@dataclass(frozen=True, slots=True)
class Cell:
    """One leaf cell: the page it is on, its byte offset there, its rowid and record."""

    page: int
    offset: int
    rowid: int | None
    values: tuple[object, ...]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[pos + i]
        if i == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    raise AssertionError("unreachable")


def _record(payload: bytes) -> tuple[object, ...]:
    header_size, pos = _varint(payload, 0)
    types: list[int] = []
    while pos < header_size:
        t, pos = _varint(payload, pos)
        types.append(t)
    body = header_size
    values: list[object] = []
    for t in types:
        if t == 0:
            values.append(None)
        elif 1 <= t <= 6:
            size = (1, 2, 3, 4, 6, 8)[t - 1]
            values.append(int.from_bytes(payload[body : body + size], "big", signed=True))
            body += size
        elif t == 7:
            values.append(struct.unpack(">d", payload[body : body + 8])[0])
            body += 8
        elif t in (8, 9):
            values.append(t - 8)
        elif t >= 12:
            size = (t - 12) // 2
            chunk = payload[body : body + size]
            values.append(bytes(chunk) if t % 2 == 0 else chunk.decode("utf-8", "replace"))
            body += size
        else:
            values.append(None)
    return tuple(values)


class SqliteFile:
    """The pages of one database file (main file only: no -wal)."""

    def __init__(self, data: bytes) -> None:
        assert data[:16] == b"SQLite format 3\x00", "not a SQLite database"
        size = struct.unpack(">H", data[16:18])[0]
        self.page_size = 65536 if size == 1 else size
        self.reserved = data[20]
        self.data = data

    @classmethod
    def read(cls, path: Path) -> SqliteFile:
        """Load a file."""
        return cls(path.read_bytes())

    def page(self, number: int) -> bytes:
        """Page `number` (1-based)."""
        start = (number - 1) * self.page_size
        return self.data[start : start + self.page_size]

    def _cells(self, number: int) -> tuple[int, list[int], int]:
        page = self.page(number)
        head = 100 if number == 1 else 0
        kind = page[head]
        count = struct.unpack(">H", page[head + 3 : head + 5])[0]
        header = 12 if kind in (_INTERIOR_TABLE, _INTERIOR_INDEX) else 8
        pointers = [
            struct.unpack(">H", page[head + header + 2 * i : head + header + 2 * i + 2])[0]
            for i in range(count)
        ]
        right = (
            struct.unpack(">I", page[head + 8 : head + 12])[0]
            if kind in (_INTERIOR_TABLE, _INTERIOR_INDEX)
            else 0
        )
        return kind, pointers, right

    def _payload(self, page: bytes, pos: int, size: int, index: bool) -> bytes:
        usable = self.page_size - self.reserved
        most = usable - 35 if not index else ((usable - 12) * 64 // 255) - 23
        if size <= most:
            return page[pos : pos + size]
        least = ((usable - 12) * 32 // 255) - 23
        local = least + (size - least) % (usable - 4)
        if local > most:
            local = least
        out = bytearray(page[pos : pos + local])
        overflow = struct.unpack(">I", page[pos + local : pos + local + 4])[0]
        while overflow and len(out) < size:
            chunk = self.page(overflow)
            overflow = struct.unpack(">I", chunk[:4])[0]
            out += chunk[4 : 4 + min(usable - 4, size - len(out))]
        return bytes(out)

    def leaf_cells(self, root: int) -> list[Cell]:
        """Every leaf cell of the b-tree at `root`, leaf pages left to right, cells as stored."""
        out: list[Cell] = []
        stack = [root]
        while stack:
            number = stack.pop()
            kind, pointers, right = self._cells(number)
            page = self.page(number)
            if kind in (_INTERIOR_TABLE, _INTERIOR_INDEX):
                children = [struct.unpack(">I", page[p : p + 4])[0] for p in pointers]
                stack.extend(reversed([*children, right]))
                continue
            for p in pointers:
                size, pos = _varint(page, p)
                rowid = None
                if kind == _LEAF_TABLE:
                    rowid, pos = _varint(page, pos)
                payload = self._payload(page, pos, size, kind == _LEAF_INDEX)
                out.append(Cell(number, p, rowid, _record(payload)))
        return out

    def roots(self) -> dict[str, int]:
        """name -> root page of every table and index, read from sqlite_master's own pages."""
        found: dict[str, int] = {}
        for cell in self.leaf_cells(1):
            _type, name, _table, root = cell.values[:4]
            if isinstance(name, str) and isinstance(root, int) and root > 0:
                found[name] = root
        return found

    def in_write_order(self, name: str) -> list[Cell]:
        """The cells of a table or index in the order they were most likely written.

        Within a page SQLite takes new cell space from the top of the free area down, so
        a later row lies at a lower offset; pages split later come after earlier ones.
        """
        cells = self.leaf_cells(self.roots()[name])
        return sorted(cells, key=lambda c: (c.page, -c.offset))


def wal_frames(data: bytes) -> list[tuple[int, bool, bytes]]:
    """(page number, commits a transaction, page image) for every valid frame of a -wal."""
    if len(data) < 32:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    salt = data[16:24]
    frames = []
    pos = 32
    while pos + 24 + page_size <= len(data):
        number, commit = struct.unpack(">II", data[pos : pos + 8])
        if data[pos + 8 : pos + 16] != salt:
            break
        frames.append((number, commit > 0, data[pos + 24 : pos + 24 + page_size]))
        pos += 24 + page_size
    return frames


def replay(main: bytes, wal: bytes) -> list[bytes]:
    """The database as it stood after each committed transaction in the -wal, oldest first."""
    frames = wal_frames(wal)
    if not frames:
        return []
    page_size = len(frames[0][2])
    image = bytearray(main)
    states: list[bytes] = []
    for number, commit, content in frames:
        end = number * page_size
        if len(image) < end:
            image.extend(b"\x00" * (end - len(image)))
        image[end - page_size : end] = content
        if commit:
            states.append(bytes(image))
    return states
