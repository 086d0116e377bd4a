"""Tests of the language-model engines (and a fake OpenAI server others can reuse)."""
