"""Counting words and finding sentence ends in streamed text, English and Japanese."""

from __future__ import annotations

from storybot.pipeline.text_shape import count_words, ends_on_sentence, sentence_ends
from storybot.pipeline.titles import clean_title, echoes, is_own_title


def test_words_are_counted_in_english_and_as_characters_in_japanese() -> None:
    assert count_words("Mia's dog ran home. It was well-fed!", "en") == 7
    assert (
        count_words("ゆいは、うさぎとあそびました。", "ja") == 6.5
    )  # 13 characters, no punctuation


def test_a_sentence_end_counts_once_something_follows_it() -> None:
    text = 'She said "Good night." Then Mr. Fox slept. The end'
    assert [text[:end] for end in sentence_ends(text)] == [
        'She said "Good night."',
        'She said "Good night." Then Mr. Fox slept.',
    ]
    assert sentence_ends("It ended.") == []  # "." might still become "..."
    assert sentence_ends("ねこがいました。そして") == [8]


def test_a_text_ends_on_a_sentence_only_after_its_punctuation() -> None:
    assert ends_on_sentence("They went home.\n")
    assert ends_on_sentence("「おやすみ。」")
    assert not ends_on_sentence("They went home and")
    assert not ends_on_sentence("They met Mr.")


def test_a_title_is_cleaned_of_labels_quotes_and_asides() -> None:
    assert clean_title(' "The Brave Little Boat" (a story)\nMore') == "The Brave Little Boat"
    assert clean_title("Title: Stars Over Mia's Lake | A tale") == "Stars Over Mia's Lake"


def test_a_title_that_repeats_the_request_is_not_its_own() -> None:
    request = "A dinosaur who is afraid of the dark"
    assert echoes("The Dinosaur Who Was Afraid of the Dark", request, "en")
    assert echoes("Afraid of the Dark", request, "en")
    assert not echoes("Mia and the Night Light", request, "en")
    assert is_own_title("Mia and the Night Light", request, "en")
    assert not is_own_title("A story", request, "en")
    assert not is_own_title("Night", request, "en")  # one word is not a title
    assert not is_own_title("くらいところ", "くらいところがこわいきょうりゅう", "ja")
    assert is_own_title("ほしぞらのともだち", "くらいところがこわいきょうりゅう", "ja")
