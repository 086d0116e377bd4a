"""Prometheus metrics of story generation, labelled by engine.

The web process (``storybot serve``) and ``storybot worker`` define the same
objects from this module, so a series means the same on every process's
``/metrics``; labels stay few (engine, outcome, reason), never a story or a
worker.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

TIME_TO_FIRST_TEXT = Histogram(
    "storybot_generation_first_text_seconds",
    "Time from a story's start to its first saved text.",
    ["engine"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0),
)
TOKENS = Counter(
    "storybot_generation_tokens_total",
    "Tokens the models wrote (completion tokens).",
    ["engine"],
)
TOKENS_PER_SECOND = Histogram(
    "storybot_generation_tokens_per_second",
    "Writing speed of finished generations.",
    ["engine"],
    buckets=(1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 200, 300),
)
OPEN_STREAMS = Gauge(
    "storybot_story_streams_open",
    "Story event streams open now (each holds a server thread).",
    multiprocess_mode="livesum",
)
IN_FLIGHT = Gauge(
    "storybot_generations_in_flight",
    "Generations running now.",
    ["engine"],
    multiprocess_mode="livesum",
)
QUEUE_DEPTH = Gauge(
    "storybot_generation_queue_depth",
    "Stories waiting to be written.",
    multiprocess_mode="livemax",
)
WORKER_HEARTBEATS = Counter(
    "storybot_worker_heartbeats_total",
    "Heartbeats this process's story runner recorded.",
)
TAKEOVERS = Counter(
    "storybot_story_takeovers_total",
    "Running stories taken from a writer that was gone: resumed, or ended interrupted.",
    ["outcome"],
)
for _outcome in ("resumed", "interrupted"):  # at 0 from the start: the first one is a rise
    TAKEOVERS.labels(_outcome)
STORIES_RESUMED = Counter(
    "storybot_stories_resumed_total",
    "Stories taken over from a writer that was gone and then claimed to be written on.",
)
GENERATIONS = Counter(
    "storybot_generations_total",
    "Generations that ended in this process, by outcome: done, incomplete (the length limit), "
    "cancelled, failed, or left (unfinished for another writer as this process stopped).",
    ["engine", "outcome"],
)
QUEUE_WAIT = Histogram(
    "storybot_generation_queue_wait_seconds",
    "Time a new story waited in the queue before a writer took it (0 when started at once).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0),
)
FAILURES = Counter(
    "storybot_generation_failures_total",
    "Generations that failed, by reason.",
    ["engine", "reason"],
)
