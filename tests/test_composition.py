"""Titles: the one the model wrote, or one made from the request."""

from __future__ import annotations

import pytest

from storybot.pipeline.titles import fallback_title, split_title
from storybot.services.composition import compose


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Title: The Brave Fox\n\nOnce upon a time", "The Brave Fox"),
        ("**Title:** The Brave Fox**\nOnce", "The Brave Fox"),
        ("# The Brave Fox\nOnce", "The Brave Fox"),
        ("タイトル：森のおともだち\nむかしむかし", "森のおともだち"),
        ("Once upon a time there was a fox.", None),
    ],
)
def test_the_title_the_model_wrote_is_found(text: str, title: str | None) -> None:
    assert split_title(text)[0] == title


def test_a_short_request_is_the_title_as_it_is() -> None:
    assert fallback_title("a dinosaur who is afraid of the dark.", None, "en") == (
        "A dinosaur who is afraid of the dark"
    )


def test_a_long_request_is_cut_at_a_word() -> None:
    title = fallback_title(
        "A very long request about a brave little fox who finds a lost star in the forest",
        None,
        "en",
    )
    assert title == "A very long request about a brave little fox who finds a…"


def test_a_japanese_request_is_cut_by_characters() -> None:
    title = fallback_title("森にすむ小さなうさぎが、あたらしい友だちをつくるおはなし。", None, "ja")
    assert title == "森にすむ小さなうさぎが、あたらしい友だちをつくる…"


def test_an_empty_request_names_the_reader() -> None:
    assert fallback_title("   ", "Mia", "en") == "A story for Mia"


def test_a_short_idea_is_told_last_with_one_interest() -> None:
    composition = compose(
        request_text="A dinosaur who is afraid of the dark.",
        reader={"name": "Mia", "age": 6, "interests": ["painting", "space"]},
        language="en",
        length="medium",
        tone="warm",
        moral=None,
    )
    user = composition.messages[1]["content"].split("\n")
    assert user[0] == "Write a warm story in English."  # no word count for the model to copy
    assert (
        user[-1] == "Tell the story of a dinosaur who is afraid of the dark, with painting in it."
    )
    assert (composition.words, composition.opening) == (250, "Once upon a time,")


def test_a_longer_idea_is_quoted_as_written() -> None:
    idea = "Mia finds a key. It opens a door in the garden wall."
    composition = compose(
        request_text=idea,
        reader={"name": "Mia", "interests": ["cats"]},
        language="ja",
        length="short",
        tone="funny",
        moral=None,
    )
    user = composition.messages[1]["content"].split("\n")
    assert user[-2:] == [f"The story is about: {idea}", "Put cats in the story."]
    assert "Japanese" in composition.messages[0]["content"]
    assert composition.opening == "むかしむかし、"
