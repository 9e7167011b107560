"""A round-robin reverse proxy for loopback tests: what nginx does in deploy/, in a few lines.

Each request goes to the next worker in turn, so one person's consecutive updates land on
different processes, which is the case the shared Redis state and event isolation must
handle. The answer carries ``X-Worker: <index>`` so a test can see who handled what.
"""

from __future__ import annotations

import itertools

from aiohttp import ClientError, ClientSession, web

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


class RoundRobin:
    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self._next = itertools.cycle(range(len(upstreams)))
        self._client: ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _forward(self, request: web.Request) -> web.Response:
        if self._client is None:
            self._client = ClientSession()
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        for _ in range(len(self.upstreams)):  # a worker that is down: try the next, as a proxy would
            index = next(self._next)
            try:
                async with self._client.request(request.method, self.upstreams[index] + request.path_qs,
                                                 data=body, headers=headers) as answer:
                    reply = await answer.read()
                    return web.Response(status=answer.status, body=reply,
                                        content_type=answer.content_type if reply else None,
                                        headers={"X-Worker": str(index)})
            except (ClientError, OSError):
                continue
        return web.Response(status=502)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://{host}:{bound}"
        return self.url

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
