"""Fixtures of the account tests: two families on one Storybot."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.stories.conftest import fake_engine  # noqa: F401  (a shared fixture)
from tests.support import Account, add_account, signed_in


@pytest.fixture
def member(app: Flask, admin: Account) -> Account:
    """A second family's account, a member, created after the first admin."""
    return add_account(app, "other-family@example.com", "member")


@pytest.fixture
def member_client(app: Flask, member: Account) -> FlaskClient:
    """A test client signed in as :func:`member`."""
    return signed_in(app.test_client(), member)
