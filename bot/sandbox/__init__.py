"""Local fake of the Telegram Bot API: in-process core, HTTP server, control client, terminal."""

from bot.sandbox.core import (
    ApiError,
    BotMessage,
    CallbackAnswer,
    Faults,
    Limits,
    SandboxCore,
    SandboxError,
    SimUser,
    StoredFile,
)

__all__ = [
    "ApiError",
    "BotMessage",
    "CallbackAnswer",
    "Faults",
    "Limits",
    "SandboxCore",
    "SandboxError",
    "SimUser",
    "StoredFile",
]
