"""The nginx gateway in front of Storybot: its values, checked, rendered into ``nginx.conf``.

``storybot deploy nginx`` (:mod:`storybot.cli_deploy`) is the one path from values to a
configuration; the tests, the shipped examples in ``deploy/nginx/`` and a person use it.
"""

from storybot.gateway.render import render_nginx
from storybot.gateway.values import Form, GatewayValues

__all__ = ["Form", "GatewayValues", "render_nginx"]
