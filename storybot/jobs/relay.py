"""Wake-ups between processes: this process's story publishes go out through Redis
pub/sub, and the other processes' come back in.

One channel, ``<prefix>stories``, carries every story's "story N changed": the
story's id, the publishing process's random token (its *origin*) and, for a
commit, the pieces just saved (``{"o":"…","s":7,"a":40,"p":[[41,"Once "]]}``),
so that another process's followers need not read them back. Redis holds
nothing: the database stays the record, and a follower woken reads what was
saved after its last piece, so a message that never arrives delays text but
never loses it.

Two threads per process (a process without viewers, a queue worker, starts only
the sender). The *sender* publishes what the bus hands it, so a
publish costs the writer a queue put (under a microsecond) rather than a round
trip to Redis (about 80 µs on an idle machine, more under load, and a connect
timeout while Redis is down). The *receiver* applies the other origins'
messages to the local bus (:meth:`~storybot.jobs.notify.StoryBus.deliver`),
never sending them back. Each logs once when it loses Redis, tries again after
a pause that doubles from 0.1 s to 5 s, and goes on; then

- the receiver, subscribed again, wakes every follower of this process to
  read what it missed (:meth:`~storybot.jobs.notify.StoryBus.wake_every_follower`);
- the sender sends one plain wake-up for each story whose publishes it could
  not send.

Until then a follower's heartbeat read (15 s) is the fallback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import secrets
import threading
from dataclasses import dataclass

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from storybot.jobs.notify import StoryBus
from storybot.jobs.pieces import Committed

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "storybot:"
MIN_PAUSE_SECONDS = 0.1
MAX_PAUSE_SECONDS = 5.0
RECEIVE_POLL_SECONDS = 0.5  # how often the receiver looks whether it should stop
MAX_BATCH = 500  # publishes sent in one pipeline (one round trip)
MAX_MESSAGE_BYTES = 64 * 1024  # a larger commit goes as a plain wake-up: followers read it
CONNECT_TIMEOUT_SECONDS = 2.0
SOCKET_TIMEOUT_SECONDS = 5.0
HEALTH_CHECK_SECONDS = 15.0  # a silent subscription is pinged, so a dead one is noticed

Publish = tuple[int, object]  # (story id, payload), as the bus hands them over


@dataclass(frozen=True)
class Message:
    """One publish as it travels: the story, the process it came from, and its payload
    (a :class:`~storybot.jobs.pieces.Committed`, or None for a plain wake-up)."""

    story_id: int
    origin: str
    payload: Committed | None = None

    def encode(self) -> bytes:
        """Compact JSON; without the pieces when they would make it large."""
        body: dict[str, object] = {"o": self.origin, "s": self.story_id}
        plain = json.dumps(body, separators=(",", ":")).encode()
        if self.payload is None:
            return plain
        body["a"] = self.payload.after
        body["p"] = [[seq, text] for seq, text in self.payload.pieces]
        full = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        return full if len(full) <= MAX_MESSAGE_BYTES else plain

    @classmethod
    def decode(cls, data: bytes) -> Message:
        """The message in ``data``; ValueError when it is not one."""
        body = json.loads(data)
        if not isinstance(body, dict):
            raise ValueError("not a JSON object")
        story_id, origin = body.get("s"), body.get("o")
        if not isinstance(story_id, int) or not isinstance(origin, str):
            raise ValueError("no story id or origin")
        payload = None
        if "p" in body:
            after, raw = body.get("a"), body["p"]
            if not isinstance(after, int) or not isinstance(raw, list):
                raise ValueError("pieces without their place")
            pieces = []
            for item in raw:
                if not (
                    isinstance(item, list)
                    and len(item) == 2
                    and isinstance(item[0], int)
                    and isinstance(item[1], str)
                ):
                    raise ValueError("a piece is not [seq, text]")
                pieces.append((item[0], item[1]))
            payload = Committed(after, pieces)
        return cls(story_id, origin, payload)


class RedisRelay:
    """Carries a :class:`~storybot.jobs.notify.StoryBus`'s publishes to the other
    processes on the same Redis and theirs back (see the module's docstring).

    Wire it with ``bus.send_to(relay.send)``; :meth:`start` it in each process.
    """

    def __init__(self, bus: StoryBus, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self.bus = bus
        self.channel = f"{prefix}stories"
        self.origin = secrets.token_hex(8)
        # Retries are this relay's own (paused, stoppable), not redis-py's.
        self._client = redis.Redis.from_url(
            url,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            health_check_interval=HEALTH_CHECK_SECONDS,
            retry=Retry(NoBackoff(), 0),
            client_name=f"storybot-relay-{self.origin}",
        )
        self._outgoing: queue.SimpleQueue[Publish | None] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._down: dict[str, bool] = {"sender": False, "receiver": False}
        self._subscribed_once = False  # since the receiver last lost Redis
        self.listening = threading.Event()
        """Set while the receiver is subscribed (tests wait on it)."""

    def send(self, story_id: int, payload: object) -> None:
        """The bus's outbox: queue a publish for the sender (starting the relay if need be)."""
        if not self._threads:
            self.start()
        self._outgoing.put((story_id, payload))

    def start(self, *, receive: bool = True) -> None:
        """Start the sender and, unless ``receive`` is False, the receiver (once; later
        calls do nothing).

        A process that has no viewers (``storybot worker``) only sends: every
        process on the channel receives every other's commits, so receivers in
        N workers would cost them N x N messages for nobody (about a third of 16
        workers' CPU in ``bench/workers_scaling.py``).
        """
        parts = [("sender", self._send_loop), ("receiver", self._receive_loop)]
        with self._lock:
            if self._threads:
                return
            self._stopping.clear()
            for name, target in parts if receive else parts[:1]:
                thread = threading.Thread(target=target, name=f"storybot-relay-{name}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued (if Redis answers), stop both threads and close the connections."""
        with self._lock:
            threads, self._threads = self._threads, []
            if threads:
                self._stopping.set()
                self._outgoing.put(None)
        for thread in threads:
            thread.join(timeout)
        self._client.close()

    # ---------------------------------------------------------------- sending

    def _send_loop(self) -> None:
        missed: set[int] = set()  # stories whose publishes could not be sent
        pause = MIN_PAUSE_SECONDS
        while True:
            batch, stop = self._take(block=not missed)
            messages = [Message(s, self.origin) for s in missed]
            messages += [Message(s, self.origin, _committed(p)) for s, p in batch]
            try:
                if messages:
                    pipe = self._client.pipeline(transaction=False)
                    for message in messages:
                        pipe.publish(self.channel, message.encode())
                    pipe.execute()
            except (redis.RedisError, OSError) as exc:
                missed.update(story_id for story_id, _ in batch)
                self._lost("sender", exc)
                if stop or self._stopping.wait(pause):
                    return
                pause = min(pause * 2, MAX_PAUSE_SECONDS)
                continue
            if stop:
                return
            if messages:
                missed.clear()
                pause = MIN_PAUSE_SECONDS
                self._back("sender")

    def _take(self, block: bool) -> tuple[list[Publish], bool]:
        """What waits to be sent (waiting for one when ``block``), and whether to stop."""
        items: list[Publish] = []
        try:
            item = self._outgoing.get() if block else self._outgoing.get_nowait()
            while True:
                if item is None:
                    return items, True
                items.append(item)
                if len(items) >= MAX_BATCH:
                    return items, False
                item = self._outgoing.get_nowait()
        except queue.Empty:
            return items, False

    # ---------------------------------------------------------------- receiving

    def _receive_loop(self) -> None:
        pause = MIN_PAUSE_SECONDS
        while not self._stopping.is_set():
            try:
                self._listen()
            except (redis.RedisError, OSError) as exc:
                self._lost("receiver", exc)
                self._stopping.wait(pause)
                pause = min(pause * 2, MAX_PAUSE_SECONDS)
            else:
                return  # asked to stop
            if self._subscribed_once:
                pause = MIN_PAUSE_SECONDS
                self._subscribed_once = False

    def _listen(self) -> None:
        """Subscribe and apply what arrives, until asked to stop or the connection fails."""
        pubsub = self._client.pubsub()  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(self.channel)
            while not self._stopping.is_set():
                message = pubsub.get_message(timeout=RECEIVE_POLL_SECONDS)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    self._subscribed_once = True
                    self._back("receiver")
                    # Whatever was published while we were not listening is lost to
                    # pub/sub: every follower reads the database once.
                    self.bus.wake_every_follower()
                    self.listening.set()
                elif message["type"] == "message":
                    self._apply(message["data"])
        finally:
            self.listening.clear()
            with contextlib.suppress(redis.RedisError, OSError):
                pubsub.close()

    def _apply(self, data: bytes) -> None:
        """Deliver another process's publish to this process's followers."""
        try:
            message = Message.decode(data)
        except ValueError as exc:  # json's errors are ValueErrors too
            log.warning("Redis relay: a message on %s is not a story's (%s)", self.channel, exc)
            return
        if message.origin == self.origin:
            return
        try:
            self.bus.deliver(message.story_id, message.payload)
        except Exception:  # a subscriber's bug must not stop the relay
            log.exception("Redis relay: story %s's wake-up failed here", message.story_id)

    # ---------------------------------------------------------------- the connection's state

    def _lost(self, part: str, exc: Exception) -> None:
        """Say once per outage that Redis is gone (and what followers do meanwhile)."""
        if not self._down[part]:
            self._down[part] = True
            log.warning(
                "Redis relay %s: Redis does not answer (%s); trying again, and other "
                "processes' stories reach this one's viewers at their next heartbeat meanwhile",
                part,
                exc,
            )

    def _back(self, part: str) -> None:
        if self._down[part]:
            self._down[part] = False
            log.info("Redis relay %s: Redis answers again", part)


def _committed(payload: object) -> Committed | None:
    """The payload worth sending: a commit's pieces (anything else goes as a plain wake-up)."""
    return payload if isinstance(payload, Committed) else None
