"""Bearer tokens and per-token rate limits for the store's endpoints.

Tokens are created and revoked with `newsroom token create|revoke|list`; only their SHA-256 is
stored, so the secret is shown once, at creation. Write endpoints always need a token with the
`write` scope; read endpoints need one with `read` only when NEWSROOM_READ_REQUIRES_TOKEN is set.
Each token may make RATE_LIMIT_PER_MINUTE requests per clock minute (counted in the database, so
the limit holds across every worker process); beyond it the answer is 429 with Retry-After.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

from flask import current_app, g, request

from models.errors import NewsroomError

SCOPES = ("read", "write")


class AuthError(NewsroomError):
    """401: no token, or one the service does not know (or has revoked)."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(message, code=code, status=status)
        self.headers = headers or {}


def _challenge(error: str) -> dict:
    return {"WWW-Authenticate": f'Bearer realm="newsroom", error="{error}"'}


def bearer_secret() -> str | None:
    """The token in `Authorization: Bearer ...`, None when there is no header; 401 if malformed."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthError("the Authorization header must be 'Bearer <token>'", code="invalid_token",
                        headers=_challenge("invalid_request"))
    return secret.strip()


def authenticate(scope: str, *, required: bool) -> dict | None:
    """Check the request's token for `scope` and count it against its rate limit."""
    from service.documents import get_store

    secret = bearer_secret()
    if secret is None:
        if required:
            raise AuthError(f"this endpoint needs a bearer token with the '{scope}' scope",
                            code="token_required", headers=_challenge("invalid_token"))
        return None
    token = get_store().find_token(secret)
    if token is None:
        raise AuthError("the bearer token is unknown or has been revoked", code="invalid_token",
                        headers=_challenge("invalid_token"))
    if scope not in token["scopes"]:
        raise AuthError(f"this token lacks the '{scope}' scope", code="insufficient_scope",
                        status=403, headers=_challenge("insufficient_scope"))
    rate_limit(token)
    g.token = token
    return token


def rate_limit(token: dict) -> None:
    """429 with Retry-After once a token has made its requests for this minute."""
    from service.documents import get_store

    limit = int(current_app.config.get("RATE_LIMIT_PER_MINUTE") or 0)
    if limit <= 0:
        return
    now = time.time()
    minute = int(now // 60)
    hits = get_store().hit(token["id"], minute)
    if hits > limit:
        retry_after = max(1, math.ceil((minute + 1) * 60 - now))
        raise AuthError(f"token {token['name']!r} made more than {limit} requests this minute; "
                        f"retry in {retry_after} s", code="rate_limited", status=429,
                        headers={"Retry-After": str(retry_after)})


def require_write() -> dict:
    """Write endpoints: a token with the write scope, always."""
    return authenticate("write", required=True)


def require_read() -> dict | None:
    """Read endpoints: a token with the read scope when the configuration says so."""
    return authenticate("read", required=bool(current_app.config.get("READ_REQUIRES_TOKEN")))


# -- the `newsroom token` verb -------------------------------------------------------------------
def cli(args: argparse.Namespace) -> int:
    """`newsroom token create NAME [--scope S]`, `revoke NAME|ID`, `list`: returns the exit code."""
    from service.store import open_store

    store = open_store(getattr(args, "database_url", None))
    try:
        if args.action == "create":
            scopes = list(dict.fromkeys(args.scope or SCOPES))
            unknown = sorted(set(scopes) - set(SCOPES))
            if unknown:
                print(f"error: unknown scope {', '.join(unknown)}; known: {', '.join(SCOPES)}",
                      file=sys.stderr)
                return 2
            if not args.name.strip():
                print("error: the token needs a name", file=sys.stderr)
                return 2
            secret, token = store.create_token(args.name.strip(), scopes)
            print(secret)
            print(f"created {token['id']} for {token['name']!r} with scopes "
                  f"{', '.join(token['scopes'])}; the token is shown only once", file=sys.stderr)
            return 0
        if args.action == "revoke":
            count = store.revoke_token(args.name)
            if count == 0:
                print(f"error: no live token with id or name {args.name!r}", file=sys.stderr)
                return 1
            print(f"revoked {count} token(s)", file=sys.stderr)
            return 0
        for token in store.list_tokens():
            print(json.dumps(token, ensure_ascii=False))
        return 0
    finally:
        store.close()
