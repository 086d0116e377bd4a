"""The StoryBus wakes a story's followers only, and tells the writer when they have sent."""

from __future__ import annotations

import threading
from collections.abc import Callable

from storybot.jobs.notify import StoryBus, Woken
from storybot.jobs.pieces import Committed


def _in_thread(target: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(target()), daemon=True)
    thread.start()
    return thread, result


def _wait_until_waiting(bus: StoryBus, story_id: int, followers: int) -> None:
    """Until ``followers`` have started waiting on the story since the bus began."""
    assert bus.wait_for_followers(story_id, Woken(followers=followers, arrivals=0), 5)


def test_a_change_releases_the_followers_of_that_story_only() -> None:
    bus = StoryBus()
    seen = bus.version(1)
    follower, woke = _in_thread(lambda: bus.wait(1, seen, 5))
    _wait_until_waiting(bus, 1, 1)

    assert bus.publish(2).followers == 0  # a change of story 2
    follower.join(0.05)
    assert follower.is_alive()  # story 1's follower still waits

    assert bus.publish(1).followers == 1
    follower.join(5)
    assert woke == [True]


def test_the_writer_learns_when_the_woken_followers_are_back() -> None:
    bus = StoryBus()
    sent = threading.Event()

    def follower() -> None:
        seen = bus.version(1)
        bus.wait(1, seen, 5)  # woken by the first piece
        sent.set()  # ... sends it ...
        bus.wait(1, bus.version(1), 5)  # and waits for more

    threads = [threading.Thread(target=follower, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    _wait_until_waiting(bus, 1, 3)

    woken = bus.publish(1, Committed(0, [(1, "Once")]))
    assert woken.followers == 3
    assert bus.wait_for_followers(1, woken, 5) is True
    assert sent.is_set()
    bus.publish(1)
    for thread in threads:
        thread.join(5)


def test_a_follower_that_left_does_not_hold_the_writer_long() -> None:
    bus = StoryBus()
    seen = bus.version(1)
    follower, _ = _in_thread(lambda: bus.wait(1, seen, 5))  # never waits again
    _wait_until_waiting(bus, 1, 1)
    woken = bus.publish(1)
    assert bus.wait_for_followers(1, woken, 0.05) is False
    follower.join(5)
