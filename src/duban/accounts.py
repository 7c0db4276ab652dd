"""Passwords and API tokens: Argon2 hashes, login checks, audited changes.

Framework-free so the CLI, the web app and the API share one set of rules.
A session remembers `session_fingerprint(user)`; changing the password
changes it, which signs out every other browser of that user.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import ApiToken, User
from duban.errors import NotFound, Rejected
from duban.workflow.audit import Actor, record

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "IssuedToken",
    "authenticate",
    "check_password_rules",
    "find_token",
    "hash_password",
    "issue_token",
    "list_tokens",
    "needs_touch",
    "revoke_token",
    "session_fingerprint",
    "set_password",
    "touch_token",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "dbn_"
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=5)
_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("duban-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Rejected(f"密码至少需要{MIN_PASSWORD_LENGTH}位", "password too short")
    if len(password) > 200:
        raise Rejected("密码过长（最多200位）", "password too long")
    if username and password.lower() == username.lower():
        raise Rejected("密码不能与用户名相同", "password equals username")


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (same cost either way)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.password_hash:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


def set_password(
    session: Session, user: User, new_password: str, actor: Actor, *, current_password: str | None = None
) -> None:
    """Set a user's password; users changing their own must give the current one (admins need not)."""
    if current_password is not None and not verify_password(user.password_hash, current_password):
        raise Rejected("当前密码不正确", "current password is wrong")
    check_password_rules(new_password, user.username)
    user.password_hash = hash_password(new_password)
    session.flush()
    # The hash itself never enters the audit log.
    record(session, actor, "set_password", "user", user.id, after={"username": user.username})


def session_fingerprint(user: User) -> str:
    """Changes whenever the password does; stored in the session cookie to end old sessions."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str, actor: Actor) -> IssuedToken:
    name = name.strip()[:100]
    if not name:
        raise Rejected("请填写令牌用途", "token name is empty")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_sha256=_digest(secret), created_at=clock.now())
    session.add(token)
    session.flush()
    record(session, actor, "create", "api_token", token.id, after={"user_id": user.id, "name": name})
    return IssuedToken(token, secret)


def find_token(session: Session, secret: str) -> ApiToken | None:
    """The live token with this secret whose user is active, or None. Reads only."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def needs_touch(token: ApiToken) -> bool:
    """Whether `last_used_at` is worth updating: at most every few minutes, not on every call
    (a write per API call would serialize every call on SQLite)."""
    return token.last_used_at is None or clock.now() - token.last_used_at > TOKEN_USE_RESOLUTION


def touch_token(session: Session, token_id: int) -> None:
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=clock.now()))


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


def revoke_token(session: Session, token_id: int, user_id: int, actor: Actor) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound("令牌不存在", f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        session.flush()
        record(
            session,
            actor,
            "revoke",
            "api_token",
            token.id,
            before={"revoked": False},
            after={"revoked": True},
        )
    return token
