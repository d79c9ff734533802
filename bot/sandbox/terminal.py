"""Interactive terminal chat with the bot through a running sandbox server."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

try:  # line editing and history for input(); absent on some platforms
    import readline
except ImportError:  # pragma: no cover - Windows without pyreadline
    readline = None  # type: ignore[assignment]

from bot.sandbox.client import SandboxClient, SandboxClientError
from bot.sandbox.core import BotMessage, SimUser

ReadLine = Callable[[str], Awaitable[str | None]]
Write = Callable[[str], None]
#: Shows the prompt again (with what was typed so far) after output interrupted it.
Redraw = Callable[[str], None]

HELP = """\
Type a message or a /command and press Enter; plain text (15, 10086) is always text.
  #1, #2, ...    press button [#1], [#2] ... of the latest message with buttons
  :paste         send several lines as one message: end with a line holding only .
  TEXT \\         a line ending in \\ continues on the next line (one message)
  :advance 1d    move time forward (also 2h, 30m, 1w) and run what fell due
  :as ID         talk as user ID        :member / :officer (any role) switch by role
  :photo [TEXT]  send a picture         :doc PATH [TEXT]  send a file
  :sticker       send a sticker         :voice            send a voice note
  :block         block the bot          :unblock          unblock it
  :users         list users             :history          show this chat again
  :help          this help              :quit             leave (also Ctrl-D)"""

_BOLD = re.compile(r"<\s*/?\s*(?:b|strong)\s*>", re.IGNORECASE)
_ITALIC = re.compile(r"<\s*/?\s*(?:i|em)\s*>", re.IGNORECASE)
_LINK = re.compile(r"""<a\s+href\s*=\s*["']([^"']*)["']\s*>(.*?)</a\s*>""", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


def render_html(text: str) -> str:
    """Telegram HTML as terminal text: *bold*, _italic_, "label (url)", other tags dropped."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _BOLD.sub("*", text)
    text = _ITALIC.sub("_", text)
    return html.unescape(_TAG.sub("", text))


def render_message(msg: BotMessage, first_number: int = 1) -> str:
    """A bot message as lines of text, with its buttons numbered from first_number."""
    flags = [f"message {msg.message_id}"]
    if msg.edited:
        flags.append("edited")
    header = f"── bot ({', '.join(flags)}) "
    if msg.deleted:
        return header + "── deleted"
    lines = [header + "─" * max(0, 40 - len(header))]
    if msg.photo is not None:
        lines.append("[picture]")
    if msg.document is not None:
        name = msg.document.get("file_name", "file")
        size = msg.document.get("file_size", 0)
        lines.append(f"[file: {name}, {size} bytes, id {msg.document.get('file_id')}]")
    body = msg.text
    if msg.html and (msg.parse_mode or "").lower() == "html":
        body = render_html(msg.html).strip()
    if body:
        lines.append(body)
    number = first_number
    for row in msg.button_rows:
        cells = []
        for button in row:
            label = button.get("text", "?")
            if "url" in button:
                label += f" ↗ {button['url']}"
            cells.append(f"[#{number}] {label}")
            number += 1
        lines.append("  " + "  ".join(cells))
    if msg.reply_keyboard and "keyboard" in msg.reply_keyboard:
        labels = [
            b if isinstance(b, str) else b.get("text", "?")
            for row in msg.reply_keyboard["keyboard"]
            for b in row
        ]
        lines.append("  keyboard: " + " | ".join(labels))
    return "\n".join(lines)


async def _stdin_line(prompt: str) -> str | None:
    # input() blocks, so it runs in a worker thread while the event loop keeps
    # showing the bot's messages.
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


def _console_write(text: str) -> None:
    # Clear the half-typed prompt line first, so output never lands after it.
    if sys.stdout.isatty():
        sys.stdout.write("\r\x1b[K")
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _console_redraw(prompt: str) -> None:
    typed = readline.get_line_buffer() if readline is not None else ""
    sys.stdout.write(prompt + typed)
    sys.stdout.flush()


class _Session:
    """State of one terminal session: who is talking and what has been shown."""

    def __init__(
        self,
        client: SandboxClient,
        users: list[SimUser],
        read_line: ReadLine,
        write: Write,
        redraw: Redraw,
    ) -> None:
        if not users:
            raise ValueError("the terminal needs at least one simulated user")
        self.client = client
        self.users = users
        self.read_line = read_line
        self._write = write
        self._redraw = redraw
        #: The prompt on screen while a line is being typed, else None.
        self.prompt: str | None = None
        self.current = users[0]
        self.shown: dict[tuple[int, int], tuple[object, ...]] = {}
        self.buttons: list[tuple[int, dict[str, object]]] = []
        self.watcher: asyncio.Task[None] | None = None
        self.background: set[asyncio.Task[None]] = set()
        self.version: int | None = None
        #: Input comes from a pipe or file: wait for the bot's answer before the next line.
        self.piped = False

    def write(self, text: str) -> None:
        """Print output; if it interrupted a prompt, draw the prompt again below it."""
        self._write(text)
        if self.prompt is not None:
            self._redraw(self.prompt)

    def _signature(self, msg: BotMessage) -> tuple[object, ...]:
        return (msg.text, msg.html, repr(msg.reply_markup), msg.deleted, msg.edit_count)

    def show(self, messages: list[BotMessage], *, force: bool = False) -> None:
        """Print messages that are new or changed since last shown."""
        for msg in messages:
            key = (msg.chat_id, msg.message_id)
            sig = self._signature(msg)
            if not force and self.shown.get(key) == sig:
                continue
            self.shown[key] = sig
            self.write(render_message(msg))
            if msg.buttons and not msg.deleted:
                self.buttons = [(msg.message_id, b) for b in msg.buttons]

    async def watch(self, chat_id: int) -> None:
        """Print the chat's changes as they happen (server-side long poll)."""
        while True:
            try:
                self.version, messages = await self.client.chat_state(
                    chat_id, self.version, wait=10.0
                )
            except (SandboxClientError, OSError) as exc:
                self.write(f"(sandbox unreachable: {exc})")
                return
            self.show(messages)

    def switch(self, user: SimUser) -> None:
        """Talk as another user from now on."""
        self.current = user
        self.buttons = []
        self.version = None
        if self.watcher is not None:
            self.watcher.cancel()
        self.watcher = asyncio.create_task(self.watch(user.user_id))
        self.write(f"(you are now {user.first_name}, id {user.user_id}, {user.role})")

    def find_user(self, arg: str) -> SimUser | None:
        """A user by id, or the first with this role."""
        for user in self.users:
            if arg.isdigit() and user.user_id == int(arg):
                return user
        for user in self.users:
            if user.role == arg:
                return user
        return None

    async def press(self, number: int) -> None:
        """Press button `number` and show the bot's answer to the press."""
        if not 1 <= number <= len(self.buttons):
            self.write("(no such button)")
            return
        message_id, button = self.buttons[number - 1]
        if "url" in button:
            self.write(f"(opens {button['url']})")
            return
        data = button.get("callback_data")
        if not isinstance(data, str):
            self.write("(this button does nothing in the sandbox)")
            return
        query_id = await self.client.user_press(self.current.user_id, message_id, data)
        task = asyncio.create_task(self.show_answer(query_id))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def show_answer(self, query_id: str) -> None:
        """Print the toast or alert the bot answers a press with (bounded polling)."""
        for _ in range(30):
            answer = await self.client.callback_answer(query_id)
            if answer.get("answered"):
                if answer.get("text"):
                    kind = "alert" if answer.get("show_alert") else "toast"
                    self.write(f"({kind}: {answer['text']})")
                return
            await asyncio.sleep(0.1)
        self.write("(the bot did not answer the button press: the spinner keeps turning)")

    async def command(self, line: str) -> bool:
        """Handle a ':' command; False means quit."""
        name, _, arg = line[1:].partition(" ")
        arg = arg.strip()
        uid = self.current.user_id
        if name in ("quit", "q", "exit"):
            return False
        if name == "help":
            self.write(HELP)
        elif name == "users":
            for u in self.users:
                mark = "*" if u is self.current else " "
                self.write(f" {mark} {u.user_id:>12}  {u.first_name}  ({u.role})")
        elif name == "as" or (name not in _ACTIONS and self.find_user(name) is not None):
            user = self.find_user(arg if name == "as" else name)
            if user is None:
                self.write(f"(no user {arg!r}; :users lists them)")
            else:
                self.switch(user)
        elif name == "photo":
            await self.client.user_send_photo(uid, caption=arg or None)
        elif name == "doc":
            path_text, _, caption = arg.partition(" ")
            if not path_text:
                self.write("(usage: :doc PATH [caption])")
                return True
            # expanduser() reads the environment/passwd database: keep it off the loop too.
            path = await asyncio.to_thread(lambda: Path(path_text).expanduser())
            try:
                content = await asyncio.to_thread(path.read_bytes)
            except OSError as exc:
                self.write(f"(cannot read {path}: {exc.strerror})")
                return True
            await self.client.user_send_document(uid, path.name, content, caption=caption or None)
        elif name == "sticker":
            await self.client.user_send_sticker(uid)
        elif name == "voice":
            await self.client.user_send_voice(uid)
        elif name == "block":
            await self.client.user_block(uid)
            self.write("(you blocked the bot; write anything to unblock)")
        elif name == "unblock":
            await self.client.user_unblock(uid)
        elif name == "history":
            self.show(await self.client.messages_for(uid), force=True)
        elif name == "advance":
            if not arg:
                self.write("(usage: :advance 1d, :advance 2h or :advance 30m)")
                return True
            moved = await self.client.advance(arg)
            self.write(f"(time moved forward by {arg}: it is now {moved['now']})")
        else:
            self.write(f"(unknown command :{name}; :help lists them)")
        return True

    async def read(self, prompt: str) -> str | None:
        """One line of input; while it is awaited, bot messages redraw the prompt."""
        self.prompt = prompt
        try:
            return await self.read_line(prompt)
        finally:
            self.prompt = None

    async def read_message(self) -> str | None:
        """One message: a line, lines joined by a trailing backslash, or a :paste block."""
        line = await self.read(f"{self.current.first_name}> ")
        if line is None:
            return None
        if line.strip() == ":paste":
            self.write("(paste mode: a line with only . sends the message)")
            lines: list[str] = []
            while (more := await self.read("... ")) is not None and more.strip() != ".":
                lines.append(more)
            return "\n".join(lines).strip("\n")
        lines = []
        while line.endswith("\\"):
            lines.append(line[:-1])
            more = await self.read("... ")
            if more is None:
                break
            line = more
        else:
            lines.append(line)
        return "\n".join(lines).strip()

    async def run(self) -> None:
        """Read messages until :quit or end of input."""
        self.write(HELP)
        self.switch(self.current)
        try:
            while True:
                text = await self.read_message()
                if text is None:
                    return
                if not text:
                    continue
                # Several lines are always a message, whatever their first character.
                single = "\n" not in text
                try:
                    if single and text.startswith(":"):
                        if not await self.command(text):
                            return
                    elif single and (button := _BUTTON.fullmatch(text)):
                        await self.press(int(button.group(1)))
                    else:
                        await self.client.user_send_text(self.current.user_id, text)
                except SandboxClientError as exc:
                    self.write(f"(sandbox refused: {exc})")
                if self.piped:
                    # Lines from a pipe all arrive at once: without this, `#1` would press
                    # the previous screen's button and the end of input would cut replies off.
                    await self.settle()
        finally:
            tasks = [*self.background, *([self.watcher] if self.watcher else [])]
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def settle(self) -> None:
        """Wait (bounded) until the bot has handled everything and stopped calling the API."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_MAX_SECONDS
        last: object = None
        quiet_since = loop.time()
        while loop.time() < deadline:
            stats = await self.client.stats()
            calls = {k: v for k, v in stats["calls"].items() if k != "getUpdates"}
            busy = stats["updates_pending"] or stats["callback_unanswered"]
            state = (calls, busy)
            if state != last or busy:
                last, quiet_since = state, loop.time()
            elif loop.time() - quiet_since >= QUIET_SECONDS:
                break
            await asyncio.sleep(0.05)
        # The watcher long-polls the chat: let it print what the last calls changed.
        await asyncio.sleep(0.1)
        for task in list(self.background):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(task), timeout=3)


#: Piped input: the bot counts as done after this long without a new Bot API call.
QUIET_SECONDS = 0.4
#: ...or after this long in any case (a job that keeps sending must not hang the pipe).
SETTLE_MAX_SECONDS = 10.0

_BUTTON = re.compile(r"#\s*(\d{1,3})")
_ACTIONS = frozenset(
    {
        *("help", "users", "as", "photo", "doc", "sticker", "voice"),
        *("block", "unblock", "history", "advance"),
    }
)


async def run_terminal(
    client: SandboxClient,
    users: list[SimUser],
    *,
    read_line: ReadLine | None = None,
    write: Write | None = None,
    redraw: Redraw | None = None,
    piped: bool | None = None,
) -> None:
    """Chat with the bot as the given users until :quit; stdin is read in a thread.

    read_line/write/redraw replace the console, for tests.
    """
    if write is None:
        write, redraw = _console_write, redraw or _console_redraw
    if piped is None:
        piped = read_line is None and not sys.stdin.isatty()
    session = _Session(
        client, users, read_line or _stdin_line, write, redraw or (lambda prompt: None)
    )
    session.piped = piped
    await session.run()
