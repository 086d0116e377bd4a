"""Fixtures for engine tests: the fake OpenAI server and engines pointed at it."""

from tests.engines.fake_openai_server import fake_openai as fake_openai
from tests.engines.fake_openai_server import make_openai_engine as make_openai_engine
