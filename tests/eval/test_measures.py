"""The eval's measures on fixed stories, English and Japanese, and its suite."""

from __future__ import annotations

from storybot.eval.measures import distinct_ngrams, measure, mentions
from storybot.eval.run import naive_request
from storybot.eval.suite import load_suite

STORY = (
    "Once upon a time, Mia found a little dinosaur in her garden. The dinosaur was "
    "afraid of the dark, so Mia, who loved painting, made stars for his wall. He slept well."
)


def english(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Stars on the Wall",
        "body": STORY,
        "ended_by_itself": True,
        "request_text": "A dinosaur who is afraid of the dark",
        "language": "en",
        "reader_name": "Mia",
        "interests": ["painting", "space"],
        "keywords": [["dinosaur"], ["dark"]],
        "target_words": 32,
        "target_grade": 2.0,
    }
    values.update(changes)
    return values


def test_a_good_story_meets_every_measure_but_its_reading_level() -> None:
    m = measure(**english())  # type: ignore[arg-type]
    assert (m.name_used, m.interest_used, m.idea_kept) == (True, True, True)
    assert (m.finished, m.own_title, m.length_ok) == (True, True, True)
    assert m.words == 32
    assert m.distinct_4grams == 1.0
    assert m.reading_grade is not None
    assert m.reading_ok == (abs(m.reading_grade - 2.0) <= 1)


def test_each_measure_fails_on_its_own_fault() -> None:
    cut = measure(**english(body=STORY.removesuffix(" He slept well.") + " He"))  # type: ignore[arg-type]
    assert not cut.finished  # the last sentence is not complete
    limit = measure(**english(ended_by_itself=False))  # type: ignore[arg-type]
    assert not limit.finished  # cut at the token limit, whatever its last sentence
    assert not measure(**english(title="A dinosaur who is afraid of the dark")).own_title  # type: ignore[arg-type]
    assert not measure(**english(target_words=120)).length_ok  # type: ignore[arg-type]
    assert not measure(**english(reader_name="Leo")).name_used  # type: ignore[arg-type]
    assert not measure(**english(interests=["trains"])).interest_used  # type: ignore[arg-type]
    assert not measure(**english(keywords=[["dinosaur"], ["moon"]])).idea_kept  # type: ignore[arg-type]


def test_words_are_found_by_their_start_in_english_and_anywhere_in_japanese() -> None:
    assert mentions("Two dinosaurs played.", "dinosaur", "en")
    assert mentions("She loved butterflies.", "butterflies", "en")
    assert not mentions("A cathedral stood there.", "hedra", "en")
    assert mentions("ゆいはうさぎとあそびました。", "うさぎ", "ja")


def test_a_loop_lowers_distinct_4grams() -> None:
    assert distinct_ngrams("the fox ran home " * 6, "en", 4) < 0.3
    assert distinct_ngrams("ねこがないた。" * 5, "ja", 4) < 0.3


def test_the_suite_has_forty_cases_of_both_languages_and_every_age() -> None:
    suite = load_suite()
    assert len(suite.cases) >= 40
    assert {c.language for c in suite.cases} == {"en", "ja"}
    ages = {suite.reader(c).age for c in suite.cases}
    assert min(ages) == 3
    assert max(ages) == 12
    assert {c.length for c in suite.cases} == {"short", "medium", "long"}
    assert all(suite.idea(c).keywords[c.language] for c in suite.cases)
    assert len(suite.select(subset=True)) == 6


def test_naive_prompting_is_one_bare_request_in_the_readers_language() -> None:
    suite = load_suite()
    japanese = next(c for c in suite.cases if c.language == "ja")
    (ask,) = naive_request(suite, japanese)
    assert ask["role"] == "user"
    assert suite.reader(japanese).name in ask["content"]
    assert suite.idea(japanese).text["ja"] in ask["content"]
