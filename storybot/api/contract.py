"""The API's contract in one place: who may call each operation, and every answer it can give.

A route says only what is particular to it::

    @bp.post("/login", responses={200: MeOut, **errors(401, 429)})
    def login(body: Login) -> ...

``errors(...)`` names the error statuses that only its logic gives (409, 429,
503 ...). Who may call an operation is read from what the server enforces
(``storybot.api.access``): an endpoint of ``PUBLIC_ENDPOINTS`` is public, a
blueprint with the ``require_admin`` hook (or ``require_admin_for_changes``,
for its changes) is for admins, anything else for a signed-in account. The
statuses every operation of a kind can give are added here, from the rules the
server applies to all of them (sign-in, the request limit, ``storybot.api.guards``, the
validation of parameters and bodies): 401 and 403 for what needs sign-in, 429
for what is limited, 400/413/415/422 for a body, 404 for an id in the path,
422 for query parameters, 500 everywhere, all with the error envelope. Ids in
paths use ``<id:name>``: 1 to 2**31 - 1, the database's ``integer``; another
number is a 404 without reaching the database.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any, Final, Literal, get_type_hints

from flask import Flask
from flask_openapi3.models.security_scheme import SecurityScheme
from flask_openapi3.openapi import OpenAPI
from flask_openapi3.types import ResponseDict
from pydantic import BaseModel
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from storybot.api import access, throttle
from storybot.schemas.common import MAX_DB_ID
from storybot.schemas.errors import ErrorEnvelope, ValidationErrorEnvelope

Access = Literal["public", "member", "admin"]

SESSION_COOKIE: Final = "storybot_session"
UNSAFE_METHODS: Final = frozenset(method.lower() for method in access.UNSAFE_METHODS)

SECURITY_SCHEMES: Final[dict[str, SecurityScheme | dict[str, Any]]] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token (POST /api/tokens): 'Authorization: Bearer sbt_...'.",
    },
    "cookieAuth": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The browser's session, set by POST /api/auth/login or /api/auth/setup.",
    },
    "csrfHeader": {
        "type": "apiKey",
        "in": "header",
        "name": access.CSRF_HEADER,
        "description": "With the session cookie, every POST, PUT, PATCH and DELETE sends the "
        "csrf_token of GET /api/me (or of the login answer) in this header.",
    },
}
Requirements = list[dict[str, list[str]]]
SIGNED_IN: Final[Requirements] = [{"bearerAuth": []}, {"cookieAuth": []}]
SIGNED_IN_UNSAFE: Final[Requirements] = [
    {"bearerAuth": []},
    {"cookieAuth": [], "csrfHeader": []},
]

_DESCRIPTIONS: Final[dict[int, str]] = {
    400: "The body is not valid JSON (malformed_json).",
    401: "Not signed in (unauthorized): sign in, or send 'Authorization: Bearer <token>'.",
    403: "Signed in but not allowed: forbidden (an admin's operation), or csrf_failed "
    "(a cookie request without its X-CSRF-Token).",
    404: "There is nothing with this id, or it is another account's (not_found).",
    409: "The change conflicts with the resource's state; the code says which.",
    413: "The body is larger than the server accepts (body_too_large).",
    415: "The body is not JSON (unsupported_media_type).",
    422: "The request fails its schema or a rule (validation_error); details names each field.",
    429: "Too many requests, or the day's quota is spent: try again after Retry-After seconds.",
    500: "A bug (internal_error): the trace id finds it in the log.",
    503: "Busy: try again after Retry-After seconds.",
}
_RETRY_AFTER: Final = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}
_WWW_AUTHENTICATE: Final = {
    "description": 'Bearer realm="storybot"',
    "schema": {"type": "string"},
}


class IdConverter(IntegerConverter):
    """``<id:name>``: a database id, 1 to 2**31 - 1; any other number is a 404."""

    def to_python(self, value: str) -> int:
        """The id, or 404 for a number no row can have.

        Not werkzeug's ``min``/``max``: a number out of range makes it try the other
        rules, and the rule of another method on the same path then answers 405.
        """
        number = int(value)
        if not 1 <= number <= MAX_DB_ID:
            raise NotFound()
        return number


def access_of(app: Flask, endpoint: str, method: str) -> Access:
    """Who may call an endpoint with a method, as ``storybot.api.access`` enforces it."""
    if endpoint in access.PUBLIC_ENDPOINTS:
        return "public"
    blueprint = endpoint.rpartition(".")[0]
    hooks = app.before_request_funcs.get(blueprint, [])
    if access.require_admin in hooks:
        return "admin"
    if access.require_admin_for_changes in hooks and method in UNSAFE_METHODS:
        return "admin"
    return "member"


def errors(*statuses: int) -> ResponseDict:
    """Error statuses a route gives by its own logic, for its ``responses``."""
    return {status: _envelope(status) for status in statuses}


def expected_errors(method: str, path: str, operation: dict[str, Any], who: Access) -> set[int]:
    """The error statuses an operation can give by the rules every operation follows."""
    found = {500}
    if path not in throttle.EXEMPT_PATHS:
        found.add(429)  # every request counts against its account or address
    unsafe = method in UNSAFE_METHODS
    if who != "public":
        found.add(401)
        if who == "admin" or unsafe:
            found.add(403)
    if unsafe:
        found |= {400, 413, 415, 422}
    places = {parameter["in"] for parameter in operation.get("parameters", [])}
    if "path" in places:
        found |= {404, 422}
    if "query" in places or "requestBody" in operation:
        found.add(422)
    return found


def _envelope(status: int) -> type[BaseModel]:
    return ValidationErrorEnvelope if status == 422 else ErrorEnvelope


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS.get(status, "An error."),
        "content": {"application/json": {"schema": _ref(_envelope(status))}},
    }


def _is_envelope(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema in (_ref(ErrorEnvelope), _ref(ValidationErrorEnvelope))


def complete_operation(method: str, path: str, operation: dict[str, Any], who: Access) -> None:
    """Give an operation its security and every error answer it can give."""
    if who == "public":
        operation["security"] = []
    elif method in UNSAFE_METHODS:
        operation["security"] = SIGNED_IN_UNSAFE
    responses: dict[str, Any] = operation.setdefault("responses", {})
    # flask-openapi3 documents a 422 on every operation, as a list of its own errors.
    declared = {int(code) for code, response in responses.items() if _is_envelope(response)}
    responses.pop("422", None)
    for status in sorted(expected_errors(method, path, operation, who) | declared):
        response = responses[str(status)] = _error_response(status)
        if status in (429, 503):
            response["headers"] = {"Retry-After": _RETRY_AFTER}
        elif status == 401:
            response["headers"] = {"WWW-Authenticate": _WWW_AUTHENTICATE}


def _body_schemas(view: Callable[..., Any]) -> dict[str, Any]:
    """The JSON schemas of a view's body model and the models it uses, as pydantic makes them.

    flask-openapi3 passes schemas through a model of its own that drops the keywords
    it does not know (``propertyNames``: the length of a map's keys).
    """
    model = get_type_hints(inspect.unwrap(view)).get("body")
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return {}
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = schema.pop("$defs", {})
    schemas[model.__name__] = schema
    return schemas


# Any text but U+0000, which the guards refuse in every request (storybot.api.guards).
NO_NUL: Final = "^[^\\u0000]*$"


def refuse_nul(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> None:
    """Say in a request's schema, in every string's pattern, that it holds no U+0000."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            refuse_nul(components[name], components, seen)
        return
    fixed = {"enum", "const"} & set(schema) or schema.get("format") == "date-time"
    if schema.get("type") == "string" and not fixed:
        if "pattern" not in schema:
            schema["pattern"] = NO_NUL
        elif {"pattern": NO_NUL} not in schema.get("allOf", []):
            schema.setdefault("allOf", []).append({"pattern": NO_NUL})
    for key in ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
        if isinstance(schema.get(key), dict):
            refuse_nul(schema[key], components, seen)
    for child in schema.get("properties", {}).values():
        refuse_nul(child, components, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for child in schema.get(key, []):
            refuse_nul(child, components, seen)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^<:>]+:)?([^<>]+)>", r"{\1}", rule)


class StorybotOpenAPI(OpenAPI):
    """flask-openapi3's app, with ``<id:...>`` and a document that states the whole contract."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        super().__init__(
            import_name,
            security_schemes=SECURITY_SCHEMES,
            validation_error_status=422,
            validation_error_model=ValidationErrorEnvelope,
            responses={500: ErrorEnvelope},
            openapi_extensions={"security": SIGNED_IN},
            **kwargs,
        )
        self.url_map.converters["id"] = IdConverter

    def generate_spec_json(self) -> None:
        """Build the document, then complete each operation from what the server enforces."""
        super().generate_spec_json()  # type: ignore[no-untyped-call]
        endpoints: dict[tuple[str, str], str] = {}
        for rule in self.url_map.iter_rules():
            for method in rule.methods or ():
                endpoints[(_openapi_path(rule.rule), method.lower())] = rule.endpoint
        components = self.spec_json["components"]["schemas"]
        for path, item in self.spec_json["paths"].items():
            for method, operation in item.items():
                endpoint = endpoints[(path, method)]
                who = access_of(self, endpoint, method)
                complete_operation(method, path, operation, who)
                for name, schema in _body_schemas(self.view_functions[endpoint]).items():
                    if name in components:
                        components[name] = schema
        seen: set[str] = set()
        for item in self.spec_json["paths"].values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    refuse_nul(parameter["schema"], components, seen)
                body = operation.get("requestBody", {}).get("content", {})
                if "application/json" in body:
                    refuse_nul(body["application/json"]["schema"], components, seen)
