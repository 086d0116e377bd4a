"""Request and response models of local model files and their downloads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from storybot.schemas.common import Strict
from storybot.schemas.engines import EngineName, Language


class LocalModelOut(BaseModel):
    """A GGUF model file Storybot can write with."""

    name: str = Field(description="The file name without .gguf; the model's id here.")
    file_name: str
    path: str
    size_bytes: int
    source: Literal["builtin", "downloaded", "model_path"] = Field(
        description="builtin: comes with Storybot; downloaded: in the data directory's "
        "models folder; model_path: beside STORYBOT_MODEL_PATH."
    )
    engines: list[str] = Field(description="The local engines that use this file.")


class LocalModelList(BaseModel):
    """Every local model file."""

    items: list[LocalModelOut]


class ModelPath(BaseModel):
    """A local model, by name."""

    model_name: str = Field(max_length=200)


class UseModel(Strict):
    """Make a local model file an engine."""

    languages: list[Language] = Field(
        min_length=1,
        max_length=10,
        description="The languages the model writes well.",
        examples=[["en", "ja"]],
    )
    engine: EngineName | None = Field(
        default=None, description="The engine's name; left out, the model's name."
    )
    make_default: bool = Field(default=False, description="Write new stories with it.")


# Control characters and every space, spelled out: "\s" means other characters in
# the server's regex engine (Rust's), Python's and the document's (ECMA-262), so a
# link one of them takes could be refused by another (U+0085 was, by schemathesis).
_NO_SPACE = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

# An http(s) link whose last path segment is a safe .gguf file name
# (model_downloads.SAFE_NAME), with no percent escapes in it.
GGUF_URL = (
    rf"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9][A-Za-z0-9.:-]*/(?:[^?#{_NO_SPACE}]*/)?"
    rf"[A-Za-z0-9][A-Za-z0-9._+-]{{0,150}}\.[Gg][Gg][Uu][Ff](?:[?#][^{_NO_SPACE}]*)?$"
)


class DownloadCreate(Strict):
    """A GGUF model file to download by its link."""

    url: str = Field(
        min_length=1,
        max_length=2000,
        pattern=GGUF_URL,
        description="An http(s) link to a .gguf file.",
        examples=["https://example.org/models/qwen2.5-1.5b-instruct-q4_k_m.gguf"],
    )
    sha256: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[0-9a-fA-F]{64}$",
        description="The file's SHA-256, checked at the end (a mismatch removes the file).",
    )


class DownloadPath(BaseModel):
    """A download, by id."""

    download_id: str = Field(max_length=64)


class DownloadError(BaseModel):
    """Why a download failed."""

    code: Literal[
        "connection_lost",
        "http_error",
        "not_enough_space",
        "not_gguf",
        "checksum_mismatch",
        "bad_resume",
        "internal_error",
    ]
    message: str


class DownloadOut(BaseModel):
    """A download and its progress."""

    id: str
    url: str
    file_name: str
    model_name: str = Field(description="The model's name once it is done (the file name's stem).")
    path: str
    status: Literal["downloading", "verifying", "done", "failed", "cancelled"]
    bytes_done: int
    bytes_total: int | None = Field(description="The size the server announced, if it did.")
    seconds_left: float | None = Field(description="At the recent speed, while downloading.")
    retries: int = Field(description="Times the connection dropped and the download resumed.")
    sha256: str | None
    error: DownloadError | None


class DownloadList(BaseModel):
    """The downloads of this server process (they are forgotten at a restart)."""

    items: list[DownloadOut]
