"""Process updates concurrently across people but in order for each person."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Many members at once, yet one member's double tap is handled tap after tap.

    Sequential handling per user is what makes a second tap see the state the
    first tap left, so stale-button checks work without extra locking.

    PTB's base class takes its global semaphore *before* do_process_update, so a
    member's queued taps would each hold a slot while waiting for that member's
    first update (head-of-line blocking: one member tapping fast during a slow
    export stalled everyone). The base semaphore is therefore left unbounded and
    the bound is applied here, after the member's turn has come: a waiting
    update holds nothing but its place in its member's queue.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive integer")
        super().__init__(sys.maxsize)
        self.members_at_once = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._serving = 0
        #: One FIFO lock per member with updates in flight: its waiters are the queue.
        self._queues: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    @property
    def serving(self) -> int:
        """Updates being handled right now (not those waiting for their member's turn)."""
        return self._serving

    def others_in_flight(self, key: int | None) -> int:
        """Updates of members other than `key` being handled or queued; cheap and read-only."""
        return sum(n for k, n in self._waiting.items() if k != key)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the sender's turn, then for a slot, then run the update's handlers."""
        key = _key(update)
        if key is None:
            await self._run(coroutine)
            return
        queue = self._queues.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with queue:
                await self._run(coroutine)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                # Drop idle queues so memory does not grow with every member ever seen.
                del self._waiting[key]
                self._queues.pop(key, None)

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            self._serving += 1
            try:
                await coroutine
            finally:
                self._serving -= 1

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


def others_waiting(processor: BaseUpdateProcessor, update: object) -> bool:
    """Whether someone other than the update's sender has updates in flight.

    A long job (an Excel export) rests only for them; with another processor, always.
    """
    if not isinstance(processor, PerChatUpdateProcessor):
        return True
    return processor.others_in_flight(_key(update)) > 0
