"""A story's request reads as one typed value, as every version of Storybot stored it."""

from __future__ import annotations

from storybot.models.story_request import StoryRequest


def test_a_request_stored_before_max_tokens_had_its_own_field_keeps_its_budget() -> None:
    request = StoryRequest.from_stored(
        {"prompt_text": "A fox", "words": 120, "options": {"max_tokens": 320}}
    )
    assert (request.prompt_text, request.words, request.max_tokens) == ("A fox", 120, 320)


def test_keys_this_version_does_not_know_are_kept_when_saved_again() -> None:
    request = StoryRequest.from_stored({"prompt_text": "A fox", "series": {"book": 2}})
    assert request.stored()["series"] == {"book": 2}


def test_an_empty_request_has_the_defaults_of_an_old_story() -> None:
    request = StoryRequest.from_stored(None)
    assert (request.words, request.continued, request.opening) == (250, 0, "")
