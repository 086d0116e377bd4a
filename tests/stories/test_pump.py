"""The pump reads an engine's stream for the runner, and holds it back after the first piece
until the runner has saved that piece."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from flask.testing import FlaskClient

from storybot.engines.base import Finish
from storybot.engines.fake import FakeEngine
from storybot.jobs.first_piece import FirstPiece
from storybot.jobs.pump import END, Pump
from tests.stories.support import ask, wait_for


def _engine(asked_for_more: threading.Event) -> Iterator[str | Finish]:
    yield "Once"
    asked_for_more.set()
    yield " upon a time."
    yield Finish("stop", 3, 2)


def _drain(items: queue.SimpleQueue[object]) -> list[object]:
    got = []
    while (item := items.get(timeout=5)) is not END:
        got.append(item)
    return got


def test_the_engine_waits_until_the_first_piece_is_saved() -> None:
    pump = Pump("test-pump")
    asked_for_more = threading.Event()
    first = FirstPiece()
    items: queue.SimpleQueue[object] = queue.SimpleQueue()
    pump.feed(_engine(asked_for_more), items, first)

    assert items.get(timeout=5) == "Once"
    assert not asked_for_more.wait(0.02)  # held back while the first piece is being saved
    first.saved()
    assert asked_for_more.wait(5)
    assert _drain(items) == [" upon a time.", Finish("stop", 3, 2)]
    pump.retire()


def test_a_runner_that_never_saves_does_not_hold_the_engine() -> None:
    pump = Pump("test-pump")
    asked_for_more = threading.Event()
    items: queue.SimpleQueue[object] = queue.SimpleQueue()
    pump.feed(_engine(asked_for_more), items, FirstPiece())  # never saved

    assert asked_for_more.wait(5)  # after ENGINE_WAIT_SECONDS at most
    assert _drain(items) == ["Once", " upon a time.", Finish("stop", 3, 2)]
    pump.retire()


def test_a_story_of_one_piece_records_its_first_text(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(["Title: Short\n\nThe end."])
    story = wait_for(client, ask(client)["id"], "done")
    assert story["text"] == "Title: Short\n\nThe end."
    assert story["first_text_seconds"] is not None
