"""No one can slow anyone else (issue 15): a token bucket per person, checked after the safety
check and before the update touches the database.

Each person has a bucket of ``burst`` tokens that fills again at ``per_second``; a message, an
edit or a tap takes one. When the bucket is empty the update is dropped before anything is saved,
and the person is told once (once per run of dropped updates, not once per update) that it was
not saved and to send it again in a moment. Order for each update: private chat, safety (a cry
for help always gets help, limited or not), this, then the database (``OnceMiddleware``). The 🆘
button is never limited.

One worker: the buckets live in this process's memory. Several workers (Redis storage): in Redis,
taken by one Lua script, so two workers never spend the same token. Time is the injected clock's
(passed into the script for Redis), so tests move it instead of sleeping.

Written here rather than taken from a package: the well-kept one (``limits``) reads the system
clock and has no token bucket; the smaller ones are young, and both kinds are a few lines.
"""

from __future__ import annotations

import enum
import logging
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.clock import Clock
from cpc_bot.engine.screens import SOS_DATA

log = logging.getLogger(__name__)

#: People whose buckets are kept in memory; the one left alone longest goes first (a bucket
#: forgotten is a full one: the worst that does is let someone send a little more).
_MEMORY_LIMIT = 100_000


class Decision(enum.Enum):
    ALLOWED = 0
    TELL = 1  # dropped, and the person has not been told yet
    QUIET = 2  # dropped, and they have been told


class Buckets(Protocol):
    async def take(self, user_id: int, now: float) -> Decision: ...

    async def forget(self, user_id: int) -> None:
        """/delete: the person's bucket goes with the rest (it holds their id)."""


@dataclass
class _Bucket:
    tokens: float
    at: float
    told: bool = False


class MemoryBuckets:
    """The buckets of one worker, in memory. ``now`` is in seconds (the injected clock's)."""

    def __init__(self, burst: int, per_second: float, limit: int = _MEMORY_LIMIT) -> None:
        self.burst = burst
        self.per_second = per_second
        self.limit = limit
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    async def take(self, user_id: int, now: float) -> Decision:
        bucket = self._buckets.pop(user_id, None)  # put back at the end: the most recent last
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
        else:  # never more than a full bucket, even one kept from a larger limit
            bucket.tokens = min(float(self.burst), bucket.tokens + max(0.0, now - bucket.at) * self.per_second)
            bucket.at = max(bucket.at, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.told = False
            decision = Decision.ALLOWED
        elif bucket.told:
            decision = Decision.QUIET
        else:
            bucket.told = True
            decision = Decision.TELL
        self._buckets[user_id] = bucket
        if len(self._buckets) > self.limit:
            self._buckets.popitem(last=False)
        return decision

    async def forget(self, user_id: int) -> None:
        self._buckets.pop(user_id, None)


#: KEYS[1] the person's bucket; ARGV now (seconds), burst, refill per second, seconds to keep it.
#: Returns 0 allowed, 1 dropped and to be told, 2 dropped (told already). Atomic in Redis.
_TAKE = """
local now = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'told')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
local told = state[3] == '1'
if now > at then
  tokens = tokens + (now - at) * rate
  at = now
end
tokens = math.min(burst, tokens)
local result
if tokens >= 1 then
  tokens = tokens - 1
  told = false
  result = 0
elseif told then
  result = 2
else
  told = true
  result = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at), 'told', told and '1' or '0')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return result
"""


class RedisBuckets:
    """The buckets shared by every worker, in Redis. A bucket that has had time to fill expires
    (a missing one is full). If Redis cannot be reached the update goes on: the limit protects
    the others' speed, and must never be why a message is lost."""

    def __init__(self, redis: Any, burst: int, per_second: float, prefix: str = "cpc") -> None:
        self.burst = burst
        self.per_second = per_second
        self.prefix = prefix
        self.keep_seconds = math.ceil(burst / per_second) + 1
        self._redis = redis
        self._take = redis.register_script(_TAKE)

    async def forget(self, user_id: int) -> None:
        await self._redis.delete(f"{self.prefix}:rate:{user_id}")

    async def take(self, user_id: int, now: float) -> Decision:
        try:
            result = await self._take(keys=[f"{self.prefix}:rate:{user_id}"],
                                      args=[repr(now), self.burst, repr(self.per_second), self.keep_seconds])
        except Exception as exc:
            log.warning("rate_limit.redis_failed error=%s", type(exc).__name__)
            return Decision.ALLOWED
        return Decision(int(result))


def buckets_for(redis: Any | None, burst: int, per_second: float, prefix: str = "cpc") -> Buckets:
    """In Redis when the bot keeps its state there (several workers), else in memory."""
    if redis is not None:
        return RedisBuckets(redis, burst, per_second, prefix)
    return MemoryBuckets(burst, per_second)


#: The person's language without reading the database: (who, locale) from the safety layer's copy.
LocaleOf = Callable[[int, str | None], Awaitable[tuple[str, str]]]


class RateLimitMiddleware(BaseMiddleware):
    """An outer update middleware: installed after ``SafetyMiddleware``, before ``OnceMiddleware``."""

    def __init__(self, buckets: Buckets, clock: Clock, locale_of: LocaleOf, i18n: I18n) -> None:
        self.buckets = buckets
        self.clock = clock
        self.locale_of = locale_of
        self.i18n = i18n

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if not isinstance(event, Update) or user is None or not _counted(event):
            return await handler(event, data)
        decision = await self.buckets.take(user.id, self.clock().timestamp())
        if decision is Decision.ALLOWED:
            return await handler(event, data)
        log.info("rate_limit.dropped told=%s", decision is Decision.TELL)
        try:
            await self._tell(data["bot"], event, user, decision is Decision.TELL)
        except Exception as exc:  # the drop stands; the next one after the wait is saved as usual
            log.warning("rate_limit.reply_failed error=%s", type(exc).__name__)
        return None

    async def _tell(self, bot: Bot, event: Update, user: User, tell: bool) -> None:
        text = None
        if tell:
            _who, locale = await self.locale_of(user.id, user.language_code)
            with self.i18n.context(), self.i18n.use_locale(locale):
                text = _("You are going too fast for me, so I did not save that. "
                         "Please wait a moment, then send it again.")
        if event.callback_query is not None:
            await bot.answer_callback_query(event.callback_query.id, text=text)  # stops the button's spinner
            return
        message = event.message or event.edited_message
        if text is not None and message is not None:
            await bot.send_message(message.chat.id, text)


def _counted(event: Update) -> bool:
    """Messages, edits and taps count; the 🆘 button and everything else never do."""
    if event.callback_query is not None:
        return event.callback_query.data != SOS_DATA
    return event.message is not None or event.edited_message is not None
