"""``/api/tokens``: the signed-in account's API tokens for scripts."""

from __future__ import annotations

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from storybot.api.access import current_account
from storybot.schemas.accounts import NewTokenOut, TokenCreate, TokenList, TokenOut, TokenPath
from storybot.services import token_service

bp = APIBlueprint("tokens", __name__, url_prefix="/api/tokens", abp_tags=[Tag(name="tokens")])


@bp.get("", responses={200: TokenList})
def list_tokens() -> dict[str, object]:
    """The account's tokens, newest first: names and dates, never the tokens."""
    rows = token_service.list_tokens(current_account().id)
    return TokenList(items=[TokenOut.model_validate(r) for r in rows]).model_dump(mode="json")


@bp.post("", responses={201: NewTokenOut})
def create_token(body: TokenCreate) -> tuple[dict[str, object], int]:
    """Make a token; the answer holds it this once (send it as 'Authorization: Bearer')."""
    made = token_service.create_token(current_account().id, body.name)
    out = NewTokenOut(**TokenOut.model_validate(made.row).model_dump(), token=made.token)
    return out.model_dump(mode="json"), 201


@bp.delete("/<id:token_id>", responses={204: None})
def revoke_token(path: TokenPath) -> tuple[str, int]:
    """Revoke a token: it stops working at once."""
    token_service.revoke_token(current_account().id, path.token_id)
    return "", 204
