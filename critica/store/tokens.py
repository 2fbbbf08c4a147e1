"""API tokens: handed out once, stored only as their SHA-256, revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Connection, insert, select, update

from critica.store import schema

PREFIX = "crt_"

tokens = schema.tokens


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(conn: Connection, name: str) -> str:
    """A new token named ``name``; the plain token is returned once and never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        insert(tokens),
        {"name": name, "token_hash": token_hash(token), "created_at": schema.utcnow()},
    )
    return token


def find(conn: Connection, token: str) -> int | None:
    """The id of the live (not revoked) token ``token``, or None; reads only."""
    if not token.startswith(PREFIX):
        return None
    digest = token_hash(token)
    # Looking up by hash means a timing difference can leak only hash bytes, never token bytes;
    # compare_digest still guards the final equality.
    row = conn.execute(
        select(tokens.c.id, tokens.c.token_hash).where(
            tokens.c.token_hash == digest, tokens.c.revoked_at.is_(None)
        )
    ).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return int(row.id)


def record_use(conn: Connection, token_id: int) -> None:
    """Note a token's last use."""
    conn.execute(update(tokens).where(tokens.c.id == token_id).values(last_used_at=schema.utcnow()))


def listing(conn: Connection) -> list[dict[str, Any]]:
    """Every token's id, name and dates (ISO 8601); never the token or its hash."""
    query = select(
        tokens.c.id, tokens.c.name, tokens.c.created_at, tokens.c.last_used_at, tokens.c.revoked_at
    ).order_by(tokens.c.id)
    return [
        {
            "id": row.id,
            "name": row.name,
            "created_at": _iso(row.created_at),
            "last_used_at": _iso(row.last_used_at),
            "revoked_at": _iso(row.revoked_at),
            "revoked": row.revoked_at is not None,
        }
        for row in conn.execute(query)
    ]


def revoke(conn: Connection, token_id: int) -> bool:
    """Revoke a live token; False when there is no such token or it was already revoked."""
    result = conn.execute(
        update(tokens)
        .where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
        .values(revoked_at=schema.utcnow())
    )
    return result.rowcount == 1


def _iso(value: Any) -> str | None:
    stamp = schema.aware(value)
    return None if stamp is None else stamp.isoformat()
