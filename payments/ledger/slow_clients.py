"""Hostile clients for ``facepay ledger bench``: ``--slow-connections N`` (what a slowloris does)
and ``--flood RATE`` (garbage requests from terminals that do not exist).

Each of N connections sends a request line and then one header byte a second,
never finishing its headers; when the ledger cuts it off it connects again. The
bench measures what the terminals get meanwhile. Loopback only, like the bench.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import threading
import time
from types import TracebackType
from urllib.parse import urlsplit

from payments.ledger.bench import LOOPBACK_HOSTS, BenchError

__all__ = ["Flood", "SlowHeaders"]

# A header byte this often keeps a connection alive on servers that time out idle reads.
TRICKLE_S = 1.0
# Time for the slow connections to open before the terminals start.
RAMP_S = 3.0


class SlowHeaders:
    """N slow-header connections to ``url``, held open (reopened when cut) until the block ends.

    Attributes:
        reconnects: connections the server closed (or refused) and that were opened again.
    """

    def __init__(self, url: str, connections: int) -> None:
        parts = urlsplit(url)
        if parts.hostname not in LOOPBACK_HOSTS:
            raise BenchError(f"slow connections only target 127.0.0.1 (got {url!r})")
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._n = connections
        self._stopping = False
        self.reconnects = 0
        self._thread = threading.Thread(target=self._run, name="slow-headers", daemon=True)

    def __enter__(self) -> SlowHeaders:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = self._n + 256
        if soft < wanted:  # this process needs a descriptor per slow connection
            new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        self._thread.start()
        time.sleep(RAMP_S)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping = True
        self._thread.join(timeout=30)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        tasks = [asyncio.ensure_future(self._one()) for _ in range(self._n)]
        while not self._stopping:
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(self) -> None:
        while not self._stopping:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(self._host, self._port), 5)
            except (OSError, TimeoutError):
                self.reconnects += 1
                await asyncio.sleep(0.2)
                continue
            try:
                writer.write(b"GET /v1/health HTTP/1.1\r\nHost: bench\r\nX-Slow: ")
                while not self._stopping and not reader.at_eof():
                    await asyncio.sleep(TRICKLE_S)
                    writer.write(b"a")
                    await writer.drain()
            except OSError:
                pass
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            if not self._stopping:
                self.reconnects += 1


class Flood:
    """Garbage at ``rate`` requests a second: debits signed by terminals that do not exist (random
    ids, random signatures), as a scanner or a broken integration would send them.

    Attributes:
        sent: requests sent.
        refused: answers received (every one should be a cheap 401).
    """

    def __init__(self, url: str, rate: float, connections: int = 4) -> None:
        parts = urlsplit(url)
        if parts.hostname not in LOOPBACK_HOSTS:
            raise BenchError(f"the flood only targets 127.0.0.1 (got {url!r})")
        if not 0 < rate <= 10_000:
            raise BenchError("the flood rate must be more than 0 and at most 10000 requests/s")
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._rate = rate
        self._connections = connections
        self._stopping = False
        self.sent = 0
        self.refused = 0
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="flood", daemon=True)

    def __enter__(self) -> Flood:
        self._thread.start()
        time.sleep(1.0)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping = True
        self._thread.join(timeout=30)

    async def _main(self) -> None:
        tasks = [
            asyncio.ensure_future(self._one(self._rate / self._connections)) for _ in range(self._connections)
        ]
        while not self._stopping:
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(self, rate: float) -> None:
        import secrets

        body = b'{"customer_id":"c-x","amount":{"minor":1,"currency":"EUR"},"merchant_ref":"x"}'
        while not self._stopping:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(self._host, self._port), 5)
            except (OSError, TimeoutError):
                await asyncio.sleep(0.2)
                continue
            try:
                next_at = time.monotonic()
                while not self._stopping:
                    head = (
                        f"POST /v1/debits HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(body)}\r\nFacePay-Terminal: t-{secrets.token_hex(6)}\r\n"
                        f"FacePay-Timestamp: {int(time.time())}\r\n"
                        f"FacePay-Nonce: {secrets.token_hex(16)}\r\n"
                        f"Idempotency-Key: {secrets.token_hex(8)}\r\n"
                        f"FacePay-Signature: {secrets.token_hex(32)}\r\n\r\n"
                    )
                    writer.write(head.encode("ascii") + body)
                    await writer.drain()
                    self.sent += 1
                    answer = await reader.readuntil(b"\r\n\r\n")
                    length = next(
                        (
                            int(line.split(b":")[1])
                            for line in answer.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    await reader.readexactly(length)
                    self.refused += 1
                    next_at += 1.0 / rate
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                pass
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
