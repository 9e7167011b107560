"""An offline Telegram Bot API server: the bot talks to it exactly as it talks to Telegram.

It keeps chats in memory, hands user messages and button taps to the bot through
``getUpdates``, and refuses what Telegram refuses (over-long texts, bad HTML, callback
data over 64 bytes, an edit that changes nothing) with Telegram's own error texts, so
tests catch those mistakes before real users do. Tests and the demo page play the
users through :class:`FakeUser`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import ClientError, ClientSession, web

from cpc_bot.emulator.limits import ApiError, check_inline_keyboard, visible_length, visible_text

if TYPE_CHECKING:
    from cpc_bot.emulator.page import PageLanguage

BOT_ID_FALLBACK = 1000000001
#: ``fail_next(FILE_DOWNLOAD, error_code=...)``: the next download of a file (``/file/bot<token>/...``) fails.
FILE_DOWNLOAD = "file download"


class _Dropped(Exception):
    """A planned network failure: the connection closes without an answer."""


def _unmarked(text: str) -> str:
    return text.replace("\u200f", "").replace("\u200e", "")


@dataclass
class SentMessage:
    """A message in a chat, as the emulator holds it (bot's or user's)."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    kind: str = "text"  # text | document | photo | sticker | voice | location
    file_id: str | None = None
    file_name: str | None = None
    deleted: bool = False
    edits: int = 0
    seq: int = 0

    @property
    def visible(self) -> str:
        """The text as the person reads it (no HTML tags, entities decoded)."""
        return visible_text(self.text or "", self.parse_mode)

    def to_api(self, bot_user: dict[str, Any], user: dict[str, Any] | None,
               chat: dict[str, Any] | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": int(time.time()),
            "chat": chat or {"id": self.chat_id, "type": "private", **({"first_name": user["first_name"]} if user else {})},
            "from": bot_user if self.from_bot else user,
        }
        if self.kind == "text":
            message["text"] = self.text or ""
        elif self.kind == "document":
            message["document"] = {"file_id": self.file_id, "file_unique_id": self.file_id, "file_name": self.file_name}
            if self.text:
                message["caption"] = self.text
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        return message


@dataclass
class StoredFile:
    data: bytes
    name: str
    mime: str


class _Params(dict[str, Any]):
    def int(self, name: str) -> int:
        try:
            return int(self[name])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, f"Bad Request: {name} is required") from None


class BotApiEmulator:
    """The server. ``await start()``, then point aiogram at :attr:`base_url`."""

    def __init__(self, token: str, *, username: str = "cpc_companion_bot") -> None:
        self.token = token
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else BOT_ID_FALLBACK
        self.bot_user = {"id": self.bot_id, "is_bot": True, "first_name": "CPC Companion", "username": username}
        self.base_url = ""
        self.requests: list[tuple[str, dict[str, Any]]] = []
        #: Calls refused for breaking Telegram's rules (too long, bad markup, bad button data),
        #: not the faults a test asked for with fail_next.
        self.rejected: list[tuple[str, str]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._sent_updates: dict[int, dict[str, Any]] = {}
        self._replay: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._confirmed = 0
        self._new_update = asyncio.Condition()
        self._confirm_event = asyncio.Condition()
        self._chats: dict[int, list[SentMessage]] = defaultdict(list)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._users: dict[int, dict[str, Any]] = {}
        #: Group, supergroup and channel chats the bot was added to (chat id -> Telegram's chat object).
        self._groups: dict[int, dict[str, Any]] = {}
        #: The chats the bot left (leaveChat), in order.
        self.left_chats: list[int] = []
        #: The update types the bot asked for (getUpdates / setWebhook ``allowed_updates``);
        #: Telegram sends no others. None: never said, Telegram's default.
        self.allowed_updates: list[str] | None = None
        self._files: dict[str, StoredFile] = {}
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._callback_answers: dict[int, list[str]] = defaultdict(list)
        #: The words of callback answers as Telegram shows them (a toast, or an alert with
        #: show_alert), with their place in the order of changes, for the demo page.
        self._toasts: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self._faults: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        # Webhook mode (after setWebhook): updates are POSTed to the bot instead of queued.
        self._webhook: tuple[str, str | None] | None = None
        self._client: ClientSession | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._processed: set[int] = set()
        #: The demo page's words in each person's language, from the bot it runs with (set by
        #: `cpc-bot demo`); None: the page speaks English.
        self.page_language: PageLanguage | None = None
        #: How many updates each webhook answer came from (the X-Worker header a test balancer adds).
        self.delivered_by: dict[str, int] = defaultdict(int)

    # --------------------------------------------------------------- server
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        from cpc_bot.emulator.page import add_demo_routes

        add_demo_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server  # aiohttp keeps the bound socket here; port 0 means "any free port"
        bound = server.sockets[0].getsockname()[1] if server is not None and server.sockets else port  # type: ignore[union-attr]
        self.base_url = f"http://{host}:{bound}"
        return self.base_url

    async def stop(self) -> None:
        # Wake every long poll first: aiohttp waits for running handlers before it exits.
        self._closing = True
        for condition in (self._new_update, self._changed, self._confirm_event):
            async with condition:
                condition.notify_all()
        for task in list(self._deliveries):
            task.cancel()
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _params(self, request: web.Request) -> _Params:
        params = _Params(request.query)
        if request.method != "POST":
            return params
        ctype = request.content_type
        if ctype == "application/json":
            params.update(await request.json())
        elif ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:  # type: ignore[union-attr]
                    data = await part.read()  # type: ignore[union-attr]
                    params[part.name] = StoredFile(bytes(data), part.filename, part.headers.get("Content-Type", "application/octet-stream"))  # type: ignore[union-attr]
                else:
                    params[part.name] = await part.text()  # type: ignore[union-attr]
        else:
            params.update(await request.post())
        # Files come as separate parts, referred to as "attach://<part name>".
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.get(value.removeprefix("attach://"), value)
        # aiogram sends nested objects (reply_markup, entities) as JSON strings in forms.
        for key in ("reply_markup", "commands", "allowed_updates", "message_ids"):
            if isinstance(params.get(key), str):
                try:
                    params[key] = json.loads(params[key])
                except json.JSONDecodeError:
                    raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        return params

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        handler = getattr(self, f"api_{method.lower()}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        try:
            params = await self._params(request)
            self.requests.append((method, {k: v for k, v in params.items() if not isinstance(v, StoredFile)}))
            drop = self._maybe_fail(method)
            if drop == 0:
                raise _Dropped
            try:
                result = await handler(params)
            except ApiError as exc:
                self.rejected.append((method, exc.description))
                raise
            if drop == -1:
                raise _Dropped
        except _Dropped:
            if request.transport is not None:
                request.transport.abort()  # no answer at all: the client sees the connection reset
            raise web.HTTPServiceUnavailable from None
        except ApiError as exc:
            body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return web.json_response(body, status=exc.code)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        try:
            self._maybe_fail(FILE_DOWNLOAD)
        except ApiError as exc:
            return web.Response(status=exc.code, text=exc.description)
        stored = self._files.get(request.match_info["path"].rsplit("/", 1)[-1])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.data, content_type=stored.mime)

    # ------------------------------------------------------------- faults
    def fail_next(self, method: str, *, error_code: int = 429, description: str | None = None,
                  retry_after: int | None = 1, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail (429 by default, like a flood limit).
        ``method=FILE_DOWNLOAD`` fails the next downloads of a file instead (an HTTP error, no body).

        ``error_code=0`` drops the connection instead of answering, as a network failure does
        (``after=True`` in :meth:`drop_next` drops it after the message was delivered)."""
        if description is None:
            description = f"Too Many Requests: retry after {retry_after}" if error_code == 429 else "Internal Server Error"
        for _ in range(times):
            self._faults[method.lower()].append((error_code, description, retry_after if error_code == 429 else None))

    def drop_next(self, method: str, *, after: bool = False, times: int = 1) -> None:
        """Close the connection on the next ``times`` calls of ``method`` without an answer.

        With ``after=True`` the call takes effect first (the message reaches the chat) and only
        the answer is lost: the bot cannot know whether it was delivered."""
        for _ in range(times):
            self._faults[method.lower()].append((-1 if after else 0, "dropped", None))

    def _maybe_fail(self, method: str) -> int | None:
        """Raise the next planned error; returns 0 / -1 for a planned drop before / after handling."""
        queue = self._faults.get(method.lower())
        if queue:
            code, description, retry_after = queue.pop(0)
            if code <= 0:
                return code
            raise ApiError(code, description, retry_after)
        return None

    # ------------------------------------------------------------- updates
    async def _push_update(self, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._sent_updates[update_id] = {"update_id": update_id, **payload}
        if self._webhook is not None:
            if self._wanted(self._sent_updates[update_id]):
                self._deliver_soon(self._sent_updates[update_id])
            else:
                self._processed.add(update_id)
            return update_id
        async with self._new_update:
            self._updates.append(self._sent_updates[update_id])
            self._new_update.notify_all()
        return update_id

    async def redeliver(self, update_id: int) -> None:
        """Send an update again with the same id, as Telegram does after a webhook timeout
        or when a bot restarts before confirming it. It goes out on the next getUpdates."""
        if self._webhook is not None:
            self._deliver_soon(self._sent_updates[update_id])
            return
        async with self._new_update:
            self._replay.append(self._sent_updates[update_id])
            self._new_update.notify_all()

    #: What Telegram sends when a bot never said which update types it wants.
    DEFAULT_UPDATES = frozenset({"message", "edited_message", "channel_post", "edited_channel_post", "callback_query",
                                 "inline_query", "chosen_inline_result", "my_chat_member", "chat_join_request"})

    def _wanted(self, update: dict[str, Any]) -> bool:
        allowed = self.DEFAULT_UPDATES if not self.allowed_updates else set(self.allowed_updates)
        return any(kind in allowed for kind in update if kind != "update_id")

    def _drop_unwanted(self) -> bool:
        """Updates of a type the bot did not ask for are never sent (Telegram does not keep them)."""
        kept = [update for update in self._updates if self._wanted(update)]
        dropped = len(kept) != len(self._updates)
        self._processed.update(u["update_id"] for u in self._updates if not self._wanted(u))
        self._updates = kept
        return dropped

    async def api_getupdates(self, params: _Params) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            async with self._confirm_event:
                self._confirmed = max(self._confirmed, offset - 1)
                self._confirm_event.notify_all()
        async with self._new_update:
            if self._replay:
                replay, self._replay = self._replay, []
                return replay
            if not self._updates and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait_for(lambda: self._updates or self._replay or self._closing), timeout)
            if self._replay:
                replay, self._replay = self._replay, []
                return replay
            if self._drop_unwanted():
                async with self._confirm_event:
                    self._confirm_event.notify_all()
            return self._updates[:limit]

    async def wait_processed(self, update_id: int, timeout: float = 10) -> None:
        """Return once the bot has confirmed ``update_id`` (asked for updates after it, or
        answered its webhook request)."""
        async with self._confirm_event:
            await asyncio.wait_for(self._confirm_event.wait_for(
                lambda: self._confirmed >= update_id or update_id in self._processed), timeout)

    def _deliver_soon(self, update: dict[str, Any]) -> None:
        task = asyncio.create_task(self._deliver(update))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, update: dict[str, Any], attempts: int = 5) -> None:
        """POST one update to the webhook, as Telegram does: concurrently with others, again
        after a failure, with the secret token in a header; a method in the answer is run."""
        assert self._webhook is not None
        url, secret = self._webhook
        if self._client is None:
            self._client = ClientSession()
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        for attempt in range(attempts):
            try:
                async with self._client.post(url, json=update, headers=headers) as answer:
                    if answer.status == 200:
                        self.delivered_by[answer.headers.get("X-Worker", "")] += 1
                        body = await answer.read()
                        if body.strip():
                            reply = json.loads(body)
                            handler = getattr(self, f"api_{str(reply.pop('method', '')).lower()}", None)
                            if handler is not None:
                                await handler(_Params(reply))
                        break
            except (ClientError, OSError, ApiError):
                pass
            await asyncio.sleep(0.2 * (attempt + 1))
        async with self._confirm_event:
            self._processed.add(update["update_id"])
            self._confirm_event.notify_all()

    # ---------------------------------------------------------- bot methods
    async def api_getme(self, params: _Params) -> dict[str, Any]:
        return {**self.bot_user, "can_join_groups": False, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def api_deletewebhook(self, params: _Params) -> bool:
        self._webhook = None
        return True

    async def api_setwebhook(self, params: _Params) -> bool:
        url = str(params.get("url") or "")
        self._webhook = (url, params.get("secret_token")) if url else None
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        return True

    async def api_getwebhookinfo(self, params: _Params) -> dict[str, Any]:
        return {"url": self._webhook[0] if self._webhook else "", "has_custom_certificate": False,
                "pending_update_count": len(self._deliveries) if self._webhook else len(self._updates)}

    async def api_setmycommands(self, params: _Params) -> bool:
        self.commands[str(params.get("language_code") or "")] = list(params.get("commands") or [])
        return True

    async def api_getmycommands(self, params: _Params) -> list[dict[str, Any]]:
        return self.commands.get(str(params.get("language_code") or ""), [])

    async def api_deletemycommands(self, params: _Params) -> bool:
        self.commands.pop(str(params.get("language_code") or ""), None)
        return True

    async def api_setchatmenubutton(self, params: _Params) -> bool:
        return True

    async def api_sendchataction(self, params: _Params) -> bool:
        self._chat(params)
        return True

    async def api_close(self, params: _Params) -> bool:
        return True

    async def api_leavechat(self, params: _Params) -> bool:
        """The bot leaves a group or channel; Telegram then tells it so (``my_chat_member``)."""
        chat_id = params.int("chat_id")
        if chat_id not in self._groups:
            raise ApiError(400, "Bad Request: chat not found" if chat_id not in self._users else
                           "Bad Request: can't leave private chat")
        self._chat(params)  # 403 when it has left already
        self.left_chats.append(chat_id)
        was = "administrator" if self._groups[chat_id]["type"] == "channel" else "member"
        await self._push_update({"my_chat_member": self._member_change(chat_id, self.bot_user, was, "left")})
        return True

    def _chat(self, params: _Params) -> int:
        chat_id = params.int("chat_id")
        if chat_id in self._groups:
            if chat_id in self.left_chats:
                kind = self._groups[chat_id]["type"]
                raise ApiError(403, f"Forbidden: bot is not a member of the {'channel' if kind == 'channel' else kind} chat")
            return chat_id
        if chat_id not in self._users:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _chat_object(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._groups:
            return self._groups[chat_id]
        user = self._users.get(chat_id)
        return {"id": chat_id, "type": "private", **({"first_name": user["first_name"]} if user else {})}

    def _to_api(self, message: SentMessage) -> dict[str, Any]:
        return message.to_api(self.bot_user, self._users.get(message.chat_id), self._chat_object(message.chat_id))

    def _message(self, chat_id: int, message_id: int, action: str) -> SentMessage:
        for message in self._chats[chat_id]:
            if message.message_id == message_id and not message.deleted:
                return message
        raise ApiError(400, f"Bad Request: message to {action} not found")

    def _check_text(self, text: Any, parse_mode: str | None, *, caption: bool = False) -> str:
        text = "" if text is None else str(text)
        length = visible_length(text, parse_mode)
        if caption:
            if length > 1024:
                raise ApiError(400, "Bad Request: message caption is too long")
            return text
        if length == 0:
            raise ApiError(400, "Bad Request: message text is empty")
        if length > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    async def _add(self, message: SentMessage) -> SentMessage:
        message.seq = next(self._seq)
        self._chats[message.chat_id].append(message)
        await self._notify()
        return message

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def api_sendmessage(self, params: _Params) -> dict[str, Any]:
        chat_id = self._chat(params)
        parse_mode = params.get("parse_mode")
        text = self._check_text(params.get("text"), parse_mode)
        markup = params.get("reply_markup")
        check_inline_keyboard(markup)
        message = await self._add(SentMessage(next(self._message_ids[chat_id]), chat_id, True, text, parse_mode,
                                              markup if isinstance(markup, dict) else None))
        return self._to_api(message)

    async def api_editmessagetext(self, params: _Params) -> dict[str, Any]:
        chat_id = self._chat(params)
        message = self._message(chat_id, params.int("message_id"), "edit")
        parse_mode = params.get("parse_mode")
        text = self._check_text(params.get("text"), parse_mode)
        markup = params.get("reply_markup")
        check_inline_keyboard(markup)
        markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        if text == message.text and parse_mode == message.parse_mode and markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
        message.text, message.parse_mode, message.reply_markup = text, parse_mode, markup
        message.edits += 1
        message.seq = next(self._seq)
        await self._notify()
        return self._to_api(message)

    async def api_editmessagereplymarkup(self, params: _Params) -> dict[str, Any]:
        chat_id = self._chat(params)
        message = self._message(chat_id, params.int("message_id"), "edit")
        markup = params.get("reply_markup")
        check_inline_keyboard(markup)
        markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
        if markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
        message.reply_markup = markup
        message.edits += 1
        message.seq = next(self._seq)
        await self._notify()
        return self._to_api(message)

    async def api_deletemessage(self, params: _Params) -> bool:
        chat_id = self._chat(params)
        message = self._message(chat_id, params.int("message_id"), "delete")
        message.deleted = True
        message.seq = next(self._seq)
        await self._notify()
        return True

    async def api_deletemessages(self, params: _Params) -> bool:
        """Up to 100 at once; ids that are not there (any more) are skipped, as Telegram does."""
        chat_id = self._chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        wanted = {int(i) for i in ids}
        for message in self._chats[chat_id]:
            if message.message_id in wanted and not message.deleted:
                message.deleted = True
                message.seq = next(self._seq)
        await self._notify()
        return True

    async def api_answercallbackquery(self, params: _Params) -> bool:
        query = self._callbacks.pop(str(params.get("callback_query_id")), None)
        if query is None:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        text = str(params.get("text") or "")
        if len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callback_answers[query["chat_id"]].append(text)
        if text:
            self._toasts[query["chat_id"]].append((next(self._seq), text))
            await self._notify()
        return True

    async def api_senddocument(self, params: _Params) -> dict[str, Any]:
        chat_id = self._chat(params)
        document = params.get("document")
        if isinstance(document, StoredFile):
            file_id = self._store_file(document)
        elif isinstance(document, str) and document in self._files:
            file_id = document
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        if len(self._files[file_id].data) > 50 * 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")
        caption = self._check_text(params.get("caption"), params.get("parse_mode"), caption=True)
        markup = params.get("reply_markup")
        check_inline_keyboard(markup)
        message = await self._add(SentMessage(next(self._message_ids[chat_id]), chat_id, True, caption or None,
                                              params.get("parse_mode"), markup if isinstance(markup, dict) else None,
                                              kind="document", file_id=file_id, file_name=self._files[file_id].name))
        return self._to_api(message)

    async def api_getfile(self, params: _Params) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        stored = self._files.get(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(stored.data), "file_path": f"files/{file_id}"}

    def _store_file(self, stored: StoredFile) -> str:
        file_id = "F" + secrets.token_hex(12)
        self._files[file_id] = stored
        return file_id

    # ------------------------------------------------------------ users
    def user(self, user_id: int, *, first_name: str = "Sam", language_code: str | None = "en") -> FakeUser:
        """A person in a private chat with the bot (chat id == user id)."""
        self._users[user_id] = {"id": user_id, "is_bot": False, "first_name": first_name,
                                **({"language_code": language_code} if language_code else {})}
        return FakeUser(self, user_id)

    def _member_change(self, chat_id: int, by: dict[str, Any], old: str, new: str) -> dict[str, Any]:
        """A ChatMemberUpdated about the bot itself (Telegram's ``my_chat_member``)."""
        def member(status: str) -> dict[str, Any]:
            body: dict[str, Any] = {"user": self.bot_user, "status": status}
            if status == "administrator":
                body.update({"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                             "can_delete_messages": False, "can_manage_video_chats": False,
                             "can_restrict_members": False, "can_promote_members": False, "can_change_info": False,
                             "can_invite_users": False, "can_post_stories": False, "can_edit_stories": False,
                             "can_delete_stories": False, "can_send_welcome_messages": False,
                             "can_post_messages": True})
            return body

        return {"chat": self._groups[chat_id], "from": by, "date": int(time.time()),
                "old_chat_member": member(old), "new_chat_member": member(new)}

    def group(self, chat_id: int, *, title: str = "Family chat", kind: str = "group") -> None:
        """A group (supergroup, channel) the bot is in already. Group ids are negative."""
        self._groups[chat_id] = {"id": chat_id, "type": kind, "title": title}

    async def add_to_group(self, user_id: int, chat_id: int, *, title: str = "Family chat", kind: str = "group") -> int:
        """A person adds the bot to a group (or supergroup, or a channel as an administrator):
        Telegram sends the bot a ``my_chat_member`` update."""
        self.group(chat_id, title=title, kind=kind)
        status = "administrator" if kind == "channel" else "member"
        return await self._push_update({"my_chat_member": self._member_change(chat_id, self._users[user_id], "left", status)})

    async def group_message(self, user_id: int, chat_id: int, text: str) -> int:
        """A person writes in a group the bot is in (a post, in a channel)."""
        user = self._users[user_id]
        message = await self._add(SentMessage(next(self._message_ids[chat_id]), chat_id, False, text))
        chat = self._groups[chat_id]
        body: dict[str, Any] = {"message_id": message.message_id, "date": int(time.time()), "chat": chat, "text": text}
        if chat["type"] == "channel":
            return await self._push_update({"channel_post": {**body, "sender_chat": chat}})
        return await self._push_update({"message": {**body, "from": user}})

    def messages(self, chat_id: int, *, include_user: bool = False) -> list[SentMessage]:
        """The chat as the person sees it now (deleted messages left out), oldest first."""
        return [m for m in self._chats[chat_id] if not m.deleted and (include_user or m.from_bot)]

    def last_message(self, chat_id: int) -> SentMessage:
        bot_messages = self.messages(chat_id)
        if not bot_messages:
            raise AssertionError(f"the bot has sent nothing to chat {chat_id}")
        return bot_messages[-1]

    def callback_answers(self, chat_id: int) -> list[str]:
        return list(self._callback_answers[chat_id])

    def file(self, file_id: str) -> StoredFile:
        return self._files[file_id]

    def documents(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.messages(chat_id) if m.kind == "document"]

    async def user_message(self, user_id: int, kind: str, payload: dict[str, Any], text: str | None = None,
                           file_id: str | None = None) -> int:
        user = self._users[user_id]
        message = await self._add(SentMessage(next(self._message_ids[user_id]), user_id, False, text, kind=kind,
                                              file_id=file_id))
        body = {"message_id": message.message_id, "date": int(time.time()), "from": user,
                "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]}, **payload}
        return await self._push_update({"message": body})

    async def user_edit(self, user_id: int, text: str, message_id: int | None = None) -> int:
        """The person edits one of their messages (their last text message by default): Telegram
        sends the bot an ``edited_message`` update with the new text."""
        own = [m for m in self._chats.get(user_id, []) if not m.from_bot and m.kind == "text"]
        if message_id is not None:
            own = [m for m in own if m.message_id == message_id]
        if not own:
            raise AssertionError("no message of theirs to edit")
        message = own[-1]
        message.text = text
        user = self._users[user_id]
        body = {"message_id": message.message_id, "date": int(time.time()), "edit_date": int(time.time()),
                "from": user, "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
                "text": text}
        await self._notify()
        return await self._push_update({"edited_message": body})

    async def user_tap(self, user_id: int, message_id: int, data: str) -> int:
        message = self._message(user_id, message_id, "tap")
        query_id = secrets.token_hex(8)
        self._callbacks[query_id] = {"chat_id": user_id}
        body = {"id": query_id, "from": self._users[user_id], "chat_instance": str(user_id), "data": data,
                "message": message.to_api(self.bot_user, self._users[user_id])}
        return await self._push_update({"callback_query": body})

    def store_user_file(self, data: bytes, name: str, mime: str) -> str:
        return self._store_file(StoredFile(data, name, mime))

    async def wait_changed(self, after_seq: int, timeout: float) -> None:
        """For the demo page's long poll: wait until something in any chat changes."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self._closing or self._last_seq() > after_seq), timeout)

    def _last_seq(self) -> int:
        return max([m.seq for chat in self._chats.values() for m in chat]
                   + [seq for toasts in self._toasts.values() for seq, _text in toasts], default=0)

    def toasts(self, chat_id: int, after_seq: int = 0) -> list[tuple[int, str]]:
        """The callback answers with words shown to this person after ``after_seq``, oldest first."""
        return [(seq, text) for seq, text in self._toasts[chat_id] if seq > after_seq]


@dataclass
class FakeUser:
    """One person talking to the bot; every action waits until the bot has handled it."""

    emulator: BotApiEmulator
    user_id: int
    timeout: float = field(default=10.0)

    async def _done(self, update_id: int, wait: bool) -> int:
        if wait:
            await self.emulator.wait_processed(update_id, self.timeout)
        return update_id

    async def say(self, text: str, *, wait: bool = True) -> int:
        payload: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            payload["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self._done(await self.emulator.user_message(self.user_id, "text", payload, text), wait)

    async def say_in_group(self, chat_id: int, text: str, *, wait: bool = True) -> int:
        """Write ``text`` in a group chat (the bot must have been added with ``add_to_group``)."""
        return await self._done(await self.emulator.group_message(self.user_id, chat_id, text), wait)

    async def add_bot_to(self, chat_id: int, *, kind: str = "group", wait: bool = True) -> int:
        return await self._done(await self.emulator.add_to_group(self.user_id, chat_id, kind=kind), wait)

    async def edit(self, text: str, *, message_id: int | None = None, wait: bool = True) -> int:
        """Edit their last text message (or ``message_id``) to say ``text``."""
        return await self._done(await self.emulator.user_edit(self.user_id, text, message_id), wait)

    def find_button(self, label: str, message_id: int | None = None) -> tuple[int, str]:
        candidates = [m for m in self.emulator.messages(self.user_id) if m.reply_markup and m.reply_markup.get("inline_keyboard")]
        if message_id is not None:
            candidates = [m for m in candidates if m.message_id == message_id]
        if not candidates:
            raise AssertionError("no message with buttons" + (f" (message {message_id})" if message_id else ""))
        message = candidates[-1]
        buttons = [b for row in message.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
        for button in buttons:
            # Direction marks are invisible: a person taps what they see.
            if _unmarked(button.get("text", "")) == _unmarked(label) and "callback_data" in button:
                return message.message_id, button["callback_data"]
        for button in buttons:
            if button.get("callback_data") == label:
                return message.message_id, label
        raise AssertionError(f"no button {label!r}; the buttons are {[b.get('text') for b in buttons]}")

    async def tap(self, label: str, *, message_id: int | None = None, wait: bool = True) -> int:
        """Tap the button with this text on the newest message that has buttons."""
        found_id, data = self.find_button(label, message_id)
        return await self._done(await self.emulator.user_tap(self.user_id, found_id, data), wait)

    async def tap_data(self, data: str, message_id: int, *, wait: bool = True) -> int:
        """Send raw callback data from a message (a forged or stale button)."""
        return await self._done(await self.emulator.user_tap(self.user_id, message_id, data), wait)

    async def send_photo(self, data: bytes, caption: str | None = None, *, wait: bool = True,
                         mime: str = "image/jpeg") -> int:
        file_id = self.emulator.store_user_file(data, "photo.jpg", mime)
        payload: dict[str, Any] = {"photo": [
            {"file_id": file_id, "file_unique_id": file_id, "width": 640, "height": 480, "file_size": len(data)},
        ]}
        if caption:
            payload["caption"] = caption
        return await self._done(await self.emulator.user_message(self.user_id, "photo", payload, caption, file_id), wait)

    async def send_document(self, data: bytes, file_name: str, *, wait: bool = True) -> int:
        file_id = self.emulator.store_user_file(data, file_name, "application/octet-stream")
        payload = {"document": {"file_id": file_id, "file_unique_id": file_id, "file_name": file_name}}
        return await self._done(await self.emulator.user_message(self.user_id, "document", payload), wait)

    async def send_sticker(self, *, wait: bool = True) -> int:
        payload = {"sticker": {"file_id": "sticker", "file_unique_id": "sticker", "type": "regular",
                               "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "🙂"}}
        return await self._done(await self.emulator.user_message(self.user_id, "sticker", payload), wait)

    async def send_voice(self, *, wait: bool = True) -> int:
        payload = {"voice": {"file_id": "voice", "file_unique_id": "voice", "duration": 3}}
        return await self._done(await self.emulator.user_message(self.user_id, "voice", payload), wait)

    async def send_location(self, *, wait: bool = True) -> int:
        payload = {"location": {"latitude": 53.8, "longitude": -1.55}}
        return await self._done(await self.emulator.user_message(self.user_id, "location", payload), wait)
