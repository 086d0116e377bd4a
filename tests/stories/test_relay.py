"""The Redis relay: a publish in one process wakes the followers of another, with its pieces;
nothing comes back twice; an outage delays wake-ups, never loses them.

Each "process" is a StoryBus with its own relay, all on the real Redis at
127.0.0.1:6379 under a channel prefix of the test's own. Outages are played by
a gate between a relay and Redis (tests/redis_gate.py) or by Redis killing
the relay's subscription.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from storybot.jobs.notify import StoryBus, Woken
from storybot.jobs.pieces import Committed
from storybot.jobs.relay import RedisRelay
from tests.redis_gate import RedisGate

REDIS_URL = "redis://127.0.0.1:6379/0"
WAIT = 5.0

Told = list[tuple[int, int, object]]
MakeProcess = Callable[..., tuple[StoryBus, RedisRelay, Told]]


@pytest.fixture
def make_process() -> Iterator[MakeProcess]:
    """Make "processes" (a bus, its relay, what its subscriber was told) on one channel."""
    prefix = f"storybot-test-{secrets.token_hex(4)}:"
    relays: list[RedisRelay] = []

    def make(
        url: str = REDIS_URL, wait: bool = True, receive: bool = True
    ) -> tuple[StoryBus, RedisRelay, Told]:
        bus = StoryBus()
        told: Told = []
        bus.subscribe(lambda story_id, version, payload: told.append((story_id, version, payload)))
        relay = RedisRelay(bus, url, prefix=prefix)
        bus.send_to(relay.send)
        relays.append(relay)
        relay.start(receive=receive)
        if wait and receive:
            assert relay.listening.wait(WAIT)
        return bus, relay, told

    yield make
    for relay in relays:
        relay.stop()


@pytest.fixture
def gate() -> Iterator[RedisGate]:
    """A passage to Redis that the test can cut."""
    passage = RedisGate().start()
    yield passage
    passage.stop()


def _follow(
    bus: StoryBus, story_id: int, timeout: float = WAIT
) -> tuple[threading.Thread, list[bool]]:
    """A follower waiting for the story's next change; its result (True: woken) when it ends."""
    seen = bus.version(story_id)
    result: list[bool] = []

    def wait() -> None:
        result.append(bus.wait(story_id, seen, timeout))

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    assert bus.wait_for_followers(story_id, Woken(followers=1, arrivals=0), WAIT)
    return thread, result


def _until(check: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return check()


def test_a_commit_in_one_process_wakes_a_follower_in_another_with_its_pieces(
    make_process: MakeProcess,
) -> None:
    writer, _, _ = make_process()
    viewer, _, told = make_process()
    follower, woke = _follow(viewer, 7)

    committed = Committed(3, [(4, "Once "), (5, "upon a time, 🐌\n")])
    writer.publish(7, committed)
    follower.join(WAIT)

    assert woke == [True]
    assert told == [(7, 1, committed)]  # the same pieces, as the same type: no read back
    assert viewer.version(7) == 1


def test_a_process_hears_its_own_publishes_once_and_the_others_once(
    make_process: MakeProcess,
) -> None:
    first, _, told_first = make_process()
    second, _, told_second = make_process()

    first.publish(1, Committed(0, [(1, "Once")]))
    assert _until(lambda: len(told_second) == 1)
    # Redis sends in order: once the first hears the second's reply, its own
    # publish has come back to it too (and was dropped).
    second.publish(2)
    assert _until(lambda: any(story_id == 2 for story_id, _, _ in told_first))

    assert told_first == [(1, 1, Committed(0, [(1, "Once")])), (2, 1, None)]
    assert told_second == [(1, 1, Committed(0, [(1, "Once")])), (2, 1, None)]
    assert first.version(1) == second.version(1) == 1


def test_a_process_that_only_sends_is_heard_and_hears_no_other_process(
    make_process: MakeProcess,
) -> None:
    # A queue worker: its commits reach the web processes' viewers, and the other
    # processes' commits are not delivered to it (it has no viewers to give them to).
    worker, worker_relay, told_worker = make_process(receive=False)
    _, _, told_web = make_process()
    other, _, _ = make_process()
    assert not worker_relay.listening.wait(0.5)  # a receiver subscribes within milliseconds

    other.publish(2, Committed(0, [(1, "Elsewhere")]))
    assert _until(lambda: [s for s, _, _ in told_web] == [2])
    worker.publish(1, Committed(0, [(1, "Once")]))
    assert _until(lambda: [s for s, _, _ in told_web] == [2, 1])
    time.sleep(0.2)  # a subscribed worker would have had story 2 long ago

    assert told_worker == [(1, 1, Committed(0, [(1, "Once")]))]  # its own publish only
    assert worker.version(2) == 0


def test_a_killed_subscription_is_made_again_and_delivery_goes_on(
    make_process: MakeProcess,
) -> None:
    writer, _, _ = make_process()
    viewer, relay, told = make_process()
    admin = redis.Redis.from_url(REDIS_URL)
    name = f"storybot-relay-{relay.origin}"
    killed = 0
    for client in admin.client_list(_type="pubsub"):
        if client["name"] == name:
            admin.client_kill_filter(_id=client["id"])
            killed += 1
    assert killed == 1
    assert _until(lambda: not relay.listening.is_set())  # it noticed
    assert relay.listening.wait(WAIT)  # and subscribed again
    assert admin.pubsub_numsub(relay.channel)[0][1] == 2

    follower, woke = _follow(viewer, 3)
    writer.publish(3, Committed(0, [(1, "again")]))
    follower.join(WAIT)
    assert woke == [True]
    assert (3, viewer.version(3), Committed(0, [(1, "again")])) in told
    admin.close()


def test_followers_cut_off_from_redis_are_woken_once_it_answers(
    make_process: MakeProcess, gate: RedisGate
) -> None:
    writer, _, _ = make_process()
    viewer, relay, told = make_process(gate.url)
    follower, woke = _follow(viewer, 5, timeout=30)

    gate.cut()
    assert _until(lambda: not relay.listening.is_set())
    writer.publish(5, Committed(0, [(1, "lost to pub/sub")]))
    follower.join(0.3)
    assert follower.is_alive()  # the message never reached it
    gate.restore()
    follower.join(WAIT)

    assert woke == [True]  # long before its 30 s heartbeat
    assert told == [(5, 1, None)]  # a plain wake-up: it reads the database


def test_publishes_made_while_redis_is_down_go_out_as_wake_ups_once_it_answers(
    make_process: MakeProcess, gate: RedisGate
) -> None:
    writer, writer_relay, _ = make_process(gate.url)
    viewer, _, told = make_process()
    follower, woke = _follow(viewer, 8, timeout=30)

    gate.cut()
    assert _until(lambda: not writer_relay.listening.is_set())
    writer.publish(8, Committed(0, [(1, "a")]))
    writer.publish(8, Committed(1, [(2, "b")]))
    follower.join(0.3)
    assert follower.is_alive()
    gate.restore()
    follower.join(WAIT)

    assert woke == [True]
    assert (8, 1, None) in told  # one wake-up for the story, without the pieces it lost


def test_a_publish_does_not_wait_for_a_redis_that_hangs(
    make_process: MakeProcess, gate: RedisGate
) -> None:
    writer, _, _ = make_process(gate.url)
    gate.silence()  # connections accepted, never answered (the relay's timeout is 5 s)
    started = time.perf_counter()
    for seq in range(1, 101):
        writer.publish(4, Committed(seq - 1, [(seq, "word ")]))
    assert time.perf_counter() - started < 0.05
    assert writer.version(4) == 100  # this process's own followers were told at once


def test_a_message_that_is_not_a_storys_is_ignored(make_process: MakeProcess) -> None:
    writer, relay, _ = make_process()
    _viewer, _, told = make_process()
    admin = redis.Redis.from_url(REDIS_URL)
    for garbage in (b"not json", b"[1, 2]", b'{"s": "7", "o": "x"}', b'{"s": 7, "o": "x", "p": 1}'):
        admin.publish(relay.channel, garbage)
    writer.publish(6)
    assert _until(lambda: told == [(6, 1, None)])
    admin.close()


def test_a_commit_too_large_for_one_message_goes_as_a_plain_wake_up(
    make_process: MakeProcess,
) -> None:
    writer, _, _ = make_process()
    viewer, _, told = make_process()
    follower, woke = _follow(viewer, 9)
    writer.publish(9, Committed(0, [(1, "x" * 70_000)]))
    follower.join(WAIT)
    assert woke == [True]
    assert told == [(9, 1, None)]  # the follower reads the piece from the database
