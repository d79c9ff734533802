"""Files the fake Telegram stores: uploads by the bot and by users, getFile, file ids."""

from __future__ import annotations

import mimetypes

from bot.sandbox.models import ApiError, StoredFile, image_size
from bot.sandbox.params import Params, opt_str
from bot.sandbox.state import JSON, MAX_DOWNLOAD, MAX_UPLOAD, Files

_FILE_KINDS: dict[str, tuple[str, str, str]] = {
    # kind: (file_id prefix, folder, default extension)
    "photo": ("AgAC", "photos", ".jpg"),
    "document": ("BQAC", "documents", ""),
    "sticker": ("CAAC", "stickers", ".webp"),
    "voice": ("AwAC", "voice", ".oga"),
}


def photo_sizes(stored: StoredFile) -> list[JSON]:
    """A message's `photo` field: one size, the stored picture."""
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width,
            "height": stored.height,
            "file_size": stored.file_size,
        }
    ]


class FileStore:
    """Every file by file_id and by the file_path that download URLs carry."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self.next_file = 1

    def new(
        self,
        kind: str,
        content: bytes,
        file_name: str | None,
        mime_type: str | None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        """Store bytes under fresh ids, named like Telegram's."""
        n = self.next_file
        self.next_file += 1
        prefix, folder, ext = _FILE_KINDS[kind]
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1].lower()
        stored = StoredFile(
            file_id=f"{prefix}AgADsbx{n:08d}",
            file_unique_id=f"AQADsbx{n:06d}",
            kind=kind,
            content=content,
            file_path=f"{folder}/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def from_params(self, p: Params, files: Files, name: str, kind: str) -> StoredFile:
        """The file a send* call refers to: an upload, an attach:// part, or a file_id."""
        value = p.get(name)
        upload: tuple[str, bytes] | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        elif (value is None or value == "") and name in files:
            upload = files[name]
        elif isinstance(value, str) and value:
            return self._known(value, kind)
        if upload is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        return self._upload(upload, kind)

    def _known(self, value: str, kind: str) -> StoredFile:
        if value.startswith(("http://", "https://")):
            # The sandbox has no internet; Telegram would fetch the URL itself.
            raise ApiError(400, "Bad Request: failed to get HTTP URL content")
        stored = self.by_id.get(value)
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise ApiError(
                400,
                f"Bad Request: can't use file of type {stored.kind.capitalize()} "
                f"as {kind.capitalize()}",
            )
        return stored

    def _upload(self, upload: tuple[str, bytes], kind: str) -> StoredFile:
        filename, content = upload
        if not content:
            raise ApiError(400, "Bad Request: file must be non-empty")
        if len(content) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        width = height = 0
        if kind == "photo":
            size = image_size(content)
            if size is None:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            width, height = size
            if width + height > 10000 or (
                width and height and max(width, height) > 20 * min(width, height)
            ):
                raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
            width, height = width or 800, height or 600
        mime = mimetypes.guess_type(filename)[0] if filename else None
        return self.new(
            kind, content, filename or None, mime or "application/octet-stream", width, height
        )

    def get_file(self, p: Params, files: Files) -> JSON:
        """getFile: the file_path to download from (up to 20 MB)."""
        stored = self.by_id.get(opt_str(p, "file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        if stored.file_size > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return stored.to_file_api()
