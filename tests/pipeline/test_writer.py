"""The story pipeline on the scripted engine: budget, closing, loops, titles, honest ends."""

from __future__ import annotations

import threading

import pytest

from storybot.engines.base import EngineError, Finish, GenerationOptions
from storybot.engines.fake import FakeEngine
from storybot.pipeline.text_shape import count_words, ends_on_sentence
from storybot.pipeline.writer import CLOSING_PHRASES, StoryPlan, Title, write_story

IDEA = "A fox who finds a star"


def plan(words: int = 40, **changes: object) -> StoryPlan:
    values: dict[str, object] = {
        "messages": [
            {"role": "system", "content": "You are a kind storyteller."},
            {"role": "user", "content": f"Write a story. The story is about: {IDEA}"},
        ],
        "options": GenerationOptions(max_tokens=400, seed=3),
        "words": words,
        "language": "en",
        "request_text": IDEA,
    }
    values.update(changes)
    return StoryPlan(**values)  # type: ignore[arg-type]


def sentences(count: int, start: int = 0) -> list[str]:
    """Streamed like a model: a word a piece, each sentence five words."""
    pieces = []
    for n in range(start, start + count):
        pieces += ["The", " fox", " saw", " star", f" {n}.", " "]
    return pieces[:-1]


def run(engine: FakeEngine, story: StoryPlan) -> tuple[list[str], str | None, Finish]:
    pieces: list[str] = []
    title: str | None = None
    finish: Finish | None = None
    for item in write_story(engine, story, threading.Event()):
        if isinstance(item, Title):
            title = item.text
        elif isinstance(item, Finish):
            finish = item
        else:
            assert isinstance(item, str)
            pieces.append(item)
    assert finish is not None
    return pieces, title, finish


def test_a_story_that_would_run_long_is_closed_on_a_complete_sentence() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(sentences(40), finish_reason="length")  # would run to 200 words
    engine.enqueue([" the", " fox", " went", " home.", " It", " slept.", " More", " words."])
    engine.enqueue([" The Fox and the Bright Night"])

    pieces, title, finish = run(engine, plan(words=40))

    text = "".join(pieces)
    closing = CLOSING_PHRASES["en"][3 % len(CLOSING_PHRASES["en"])]
    assert text.endswith(f"\n\n{closing} the fox went home. It slept.")  # two sentences, no more
    assert ends_on_sentence(text)
    assert 40 * 0.75 <= count_words(text, "en") <= 40 * 1.25
    assert finish.reason == "stop"
    assert title == "The Fox and the Bright Night"
    # The closing continued the very text the reader saw, as the model's own answer.
    closing_call = engine.calls[1].messages
    assert closing_call[-1] == {
        "role": "assistant",
        "content": text[: -len(" the fox went home. It slept.")],
    }
    assert "end it in one or two sentences" in closing_call[-2]["content"]


def test_the_body_stops_at_the_first_sentence_end_past_the_budget() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(sentences(40), finish_reason="length")
    engine.enqueue([" all", " was", " well."])
    engine.enqueue(["A Star for the Fox"])

    pieces, _, _ = run(engine, plan(words=40))

    body = "".join(pieces).split("\n\n")[0]
    assert body.endswith(".")
    assert count_words(body, "en") == 35  # 32 words asked for (80%), the sentence ends at 35


def test_a_story_that_ends_by_itself_needs_no_closing() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(sentences(3))
    engine.enqueue(["Stars Over the Hill"])

    pieces, title, finish = run(engine, plan(words=40))

    assert "".join(pieces) == "".join(sentences(3))
    assert finish.reason == "stop"
    assert title == "Stars Over the Hill"
    assert len(engine.calls) == 2  # the body and the title


def test_a_story_that_ends_mid_sentence_gets_its_sentence_finished() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(["The", " fox", " saw", " a"])  # the model stopped mid-sentence
    engine.enqueue([" star", " in", " the", " sky.", " And", " more."])
    engine.enqueue(["The Sky Fox"])

    pieces, _, finish = run(engine, plan(words=40))

    assert "".join(pieces) == "The fox saw a star in the sky."  # one sentence: it was mid-way
    assert finish.reason == "stop"


def test_a_sentence_longer_than_the_closing_is_finished_by_a_second_closing() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(["The", " fox", " ran", " and"], finish_reason="length")  # its body's cap
    engine.enqueue([" ran", " and"] * 10, finish_reason="length")  # the closing's cap, mid-sentence
    engine.enqueue([" ran", " home.", " Then", " more."])
    engine.enqueue(["The Running Fox"])

    pieces, _, finish = run(engine, plan(words=40, options=GenerationOptions(max_tokens=400)))

    assert "".join(pieces).endswith(" ran home.")
    assert finish.reason == "stop"
    assert len(engine.calls) == 4  # body, closing, closing again, title


def test_a_loop_is_cut_before_the_repeat_is_shown_and_the_story_goes_on() -> None:
    engine = FakeEngine(continues_text=True)
    loop = ["The", " fox", " was", " very", " very", " happy", " and", " glad."]
    engine.enqueue(["Once", " a", " fox", " lived", " here.", " ", *loop, *[" ", *loop] * 6])
    engine.enqueue([" sleepy", " at", " last.", " Good", " night."])
    engine.enqueue(["The Glad Fox"])

    pieces, _, finish = run(engine, plan(words=200))

    text = "".join(pieces)
    # The sentence was shown once; past its first three words, its second time
    # round was held back and dropped, and the story went on from there.
    assert text == (
        "Once a fox lived here. The fox was very very happy and glad. "
        "The fox was sleepy at last. Good night."
    )
    assert finish.reason == "stop"
    again = engine.calls[1]
    assert again.messages[-1] == {"role": "assistant", "content": text.split(" sleepy")[0]}
    assert again.options.seed == 3 + 1000  # sampled anew, not into the same loop


def test_a_story_that_keeps_looping_is_closed() -> None:
    engine = FakeEngine(continues_text=True)
    loop = [" The", " fox", " was", " very", " very", " happy", " and", " glad."]
    engine.enqueue(["Once", " a", " fox", " lived", " here.", *loop * 7])
    for _ in range(2):  # written on twice after a loop, and it loops again
        engine.enqueue(loop * 3)
    engine.enqueue([" slept", " well.", " The", " end."])
    engine.enqueue(["The Glad Fox"])

    pieces, _, finish = run(engine, plan(words=200))

    text = "".join(pieces)
    assert text.count("very very happy and glad") == 1
    assert text.endswith(" slept well.")
    assert "end it in one or two sentences" in engine.calls[3].messages[-2]["content"]
    assert finish.reason == "stop"


def test_words_repeated_briefly_are_shown_once_the_repeat_breaks_off() -> None:
    engine = FakeEngine(continues_text=True)
    story = ["The", " fox", " saw", " a", " star.", " The", " fox", " saw", " a", " moon", " too."]
    engine.enqueue(story)
    engine.enqueue(["Moon and Star"])

    pieces, _, _ = run(engine, plan(words=200))

    assert "".join(pieces) == "".join(story)


@pytest.mark.parametrize(
    "answers",
    [
        [" A fox who finds a star"],  # the request echoed
        [" A Star"],  # too short, and from the request
        [" Story"],  # generic
    ],
)
def test_the_title_is_never_the_request(answers: list[str]) -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(sentences(2))
    for answer in answers:
        engine.enqueue([answer])
    engine.enqueue([" The Night the Sky Came Down"])
    engine.enqueue([" Fox Under the Lantern Moon"])

    _, title, _ = run(engine, plan(words=40))

    assert title in ("The Night the Sky Came Down", "Fox Under the Lantern Moon")
    title_call = engine.calls[1].messages
    assert title_call[-1] == {"role": "assistant", "content": "Title:"}
    # The story's own conversation goes on: the story as the model's answer, then the ask.
    assert title_call[:2] == plan(words=40).messages
    assert title_call[2] == {"role": "assistant", "content": "".join(sentences(2))}
    assert title_call[3]["content"].startswith("Write a title for this story")


def test_a_title_the_model_wrote_on_its_first_line_is_kept() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(["Title: The Moon Lantern\n\n", *sentences(2)])

    _, title, _ = run(engine, plan(words=40))

    assert title == "The Moon Lantern"
    assert len(engine.calls) == 1


def test_a_story_that_reaches_the_token_limit_is_not_finished() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(sentences(6), finish_reason="length")  # 35 tokens: the body's cap
    engine.enqueue([" and"] * 90, finish_reason="length")  # the closing ran out of tokens
    engine.enqueue([" then", " the"], finish_reason="length")  # and so did its second try
    engine.enqueue(["The Long Night"])

    pieces, title, finish = run(engine, plan(words=400, options=GenerationOptions(max_tokens=130)))

    assert finish.reason == "length"  # the runner marks it incomplete
    assert "".join(pieces).endswith(" and then the")
    assert title == "The Long Night"  # it still gets a title


def test_the_opening_is_shown_with_the_models_first_words() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue([" a", " fox", " found", " a", " star."])
    engine.enqueue(["The Found Star"])

    pieces, _, _ = run(engine, plan(opening="Once upon a time,"))

    assert pieces[0] == "Once upon a time, a"
    assert engine.calls[0].messages[-1] == {"role": "assistant", "content": "Once upon a time,"}


def test_a_continued_story_is_written_on_from_its_text() -> None:
    engine = FakeEngine(continues_text=True)
    so_far = "".join(sentences(7))  # 35 words of 40: near its end
    engine.enqueue([" the", " fox", " smiled.", " The", " end."])

    pieces, title, _ = run(engine, plan(words=40, text_so_far=so_far, needs_title=False))

    text = so_far + "".join(pieces)
    assert text.startswith(so_far)  # what was written stays
    assert pieces[0].startswith("\n\n")  # straight to the ending
    assert engine.calls[0].messages[-1]["content"].startswith(so_far)
    assert title is None


def test_a_failing_title_does_not_fail_the_story() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(sentences(2))
    engine.enqueue([], fail_with=EngineError("unavailable", "down"))

    pieces, title, finish = run(engine, plan(words=40))

    assert finish.reason == "stop"
    assert title == ""
    assert "".join(pieces) == "".join(sentences(2))


def test_stop_during_the_story_ends_it_cancelled() -> None:
    engine = FakeEngine(continues_text=True)
    engine.enqueue(sentences(10), pause_after=3)
    cancel = threading.Event()
    stream = write_story(engine, plan(), cancel)
    first = [next(stream) for _ in range(3)]
    cancel.set()
    rest = list(stream)

    assert "".join(str(p) for p in first) == "The fox saw"
    assert rest == [Finish("cancelled", rest[-1].prompt_tokens, 3)]  # type: ignore[union-attr]
    assert len(engine.calls) == 1  # no closing, no title


def test_a_japanese_story_is_counted_in_characters_and_closed_after_its_sentence() -> None:
    engine = FakeEngine(continues_text=True)
    animals = ["いぬが", "ねこが", "とりが", "うさぎが", "くまが", "りすが", "かめが", "ぶたが"]
    doings = ["はしりました。", "ねました。", "うたいました。", "はねました。"]
    sentences = [[animal, doings[i % 4]] for i, animal in enumerate(animals)]
    engine.enqueue([piece for pair in sentences for piece in pair], finish_reason="length")
    engine.enqueue(["みんなで", "なかよく", "くらしました。", "おしまい。", "また", "あした。"])
    engine.enqueue(["どうぶつの もり"])

    pieces, title, finish = run(
        engine, plan(words=20, language="ja", request_text="もりの どうぶつたち")
    )

    text = "".join(pieces)
    body, closing = text.split("\n\n")
    # 16 "words" (80% of 20, two characters a word) are reached in the fourth sentence.
    assert body == "いぬがはしりました。ねこがねました。とりがうたいました。うさぎがはねました。"
    assert count_words(body, "ja") == 17  # 34 characters
    phrase = closing.split("、")[0] + "、"
    assert phrase in CLOSING_PHRASES["ja"]
    assert (
        closing.removeprefix(phrase) == "みんなでなかよくくらしました。おしまい。"
    )  # two sentences
    assert finish.reason == "stop"
    assert title == "どうぶつの もり"
