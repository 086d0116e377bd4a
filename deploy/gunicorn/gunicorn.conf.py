"""gunicorn settings of a server's ``storybot serve`` (behind nginx, on 127.0.0.1:5000).

Installed as ``/etc/storybot/gunicorn.conf.py``; ``storybot-web.service`` names it in
``STORYBOT_GUNICORN_CONFIG`` (or: ``storybot serve --gunicorn-config FILE``). gunicorn
reads it as its own ``-c`` file, again at each reload (``systemctl reload storybot-web``).
Storybot sets the address, the one worker, its threads and the logging from its
``STORYBOT_*`` settings; a file that sets one of those is refused (see
``storybot/server.py``). deploy/gunicorn/README.md says why each value is what it is.
"""

# A worker heartbeat, not a request limit: the gthread worker's main loop beats
# about once a second however long its streams are open. A worker that misses
# beats for this long is stuck, and replaced. Before gunicorn 27 a retiring worker
# stopped beating, so this stays at least graceful_timeout (Storybot checks).
timeout = 60

# After SIGTERM or a reload (SIGHUP), the old worker's open requests get this long:
# its event streams go on delivering text and keep-alive comments, then their
# connections are closed; the web UI reconnects (retry: 2000 ms) with Last-Event-ID
# and misses nothing.
# storybot-web.service's TimeoutStopSec (45 s) leaves room above it.
graceful_timeout = 30

# Idle time of a kept-alive connection between two requests (not a stream's
# silence). Longer than nginx's upstream keepalive_timeout (60 s), so that nginx,
# never gunicorn, closes an idle upstream connection: no request is sent on a
# connection gunicorn has just closed.
keepalive = 75

# Never recycle the worker after N requests: a recycle ends every open stream
# and, with the threads runner, loads the model again.
max_requests = 0

# Headers and request lines of ordinary size; bodies are limited by
# STORYBOT_MAX_BODY_BYTES.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
