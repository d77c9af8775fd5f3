"""JSON Web Tokens for the HTTP API (HS256, short-lived)."""
import datetime as dt
import functools
import time

import jwt

from shared.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "coop-gateway"


def issue(secret: str, member_id: str, roles: list[str], ttl_seconds: int) -> dict:
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": member_id, "roles": sorted(roles), "iss": ISSUER, "iat": now,
              "exp": now + dt.timedelta(seconds=ttl_seconds)}
    return {"access_token": jwt.encode(claims, secret, algorithm=ALGORITHM),
            "token_type": "Bearer", "expires_in": ttl_seconds}


@functools.lru_cache(maxsize=20_000)
def _verified_claims(secret: str, token: str) -> dict:
    """A token's claims once its signature and issuer are checked (a client sends the same
    token with every request: it is checked once, its expiry at every use)."""
    return jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                      options={"require": ["sub", "exp", "iss"]})


def verify(secret: str, header: str | None) -> dict:
    """The ``auth`` context data for a request's ``Authorization: Bearer`` header."""
    if not header or not header.startswith("Bearer "):
        raise Unauthorized("a bearer token is required")
    try:
        claims = _verified_claims(secret, header[7:])
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid token: {exc}") from None
    if claims["exp"] <= time.time():
        raise Unauthorized("invalid token: Signature has expired")
    return {"member_id": claims["sub"], "roles": list(claims.get("roles") or [])}
