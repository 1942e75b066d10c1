"""A bound on pages fetched and not yet handled, over every host of a fetcher.

A crawl of many hosts has many workers waiting on politeness; when the processing thread
(parsing, archive writes) is the bottleneck, each of them would fetch its page and hold it
until its turn, so memory would grow with hosts x workers. A worker takes a :class:`Ticket`
for a page *after* its host's politeness wait (a ticket never waits behind a delay) and
gives it back once the page is handled: at most ``size`` pages are held at any time, and a
slow processing thread slows the requests instead of filling memory. A ticket is held only
while a page is in hand: an attempt that fails (and waits for its retry), a redirect (and
the next hop's politeness wait) and a wait the host was pushed back to after the ticket was
taken (another request of the host answered Retry-After) give it back, and robots.txt never
takes one.
"""

from __future__ import annotations

import asyncio
import contextvars

#: The ticket of the fetch running in this task (each fetch runs in a task of its own).
CURRENT: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar(
    "scraper_fetch_ticket", default=None
)


def give_back() -> None:
    """Give back the current fetch's ticket, if it holds one (a failed attempt, a redirect:
    no page in hand until the next request, which takes it again)."""
    ticket = CURRENT.get()
    if ticket is not None:
        ticket.release()


class Backlog:
    """At most ``size`` tickets out at once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = asyncio.Semaphore(size)
        self.peak = 0  # the most tickets out at once, for benchmarks and tests
        self._out = 0

    def ticket(self) -> Ticket:
        """A ticket for one page, not yet taken."""
        return Ticket(self)

    @property
    def out(self) -> int:
        """Tickets taken and not given back."""
        return self._out

    async def _take(self) -> None:
        await self._free.acquire()
        self._out += 1
        self.peak = max(self.peak, self._out)

    def _give_back(self) -> None:
        self._out -= 1
        self._free.release()


class Ticket:
    """One page's place in the backlog: taken once (however many hops and retries its fetch
    has), given back once; both are idempotent."""

    __slots__ = ("_backlog", "held")

    def __init__(self, backlog: Backlog) -> None:
        self._backlog = backlog
        self.held = False

    async def take(self) -> None:
        if not self.held:
            await self._backlog._take()
            self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._backlog._give_back()
