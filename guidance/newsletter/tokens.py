"""
Signed links for the newsletter: confirm a subscription, and unsubscribe.

Both carry the subscriber's id and a digest of their email, signed with SECRET_KEY, so
that nobody can make one for somebody else and no email address appears in a URL (or in
server logs). A confirmation link expires; an unsubscribe link works for as long as the
emails that carry it may be read.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing

CONFIRM_SALT = "guidance.newsletter.confirm"
UNSUBSCRIBE_SALT = "guidance.newsletter.unsubscribe"
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60  # three days


@dataclass(frozen=True)
class TokenClaim:
    subscriber_id: int
    email_digest: str
    issued_at: datetime | None = None


def email_digest(email):
    """A short, stable fingerprint of an address (its case does not matter)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def make_confirm_token(subscriber):
    return signing.dumps(
        {"s": subscriber.pk, "e": email_digest(subscriber.email), "t": int(time.time())},
        salt=CONFIRM_SALT,
    )


def make_unsubscribe_token(subscriber):
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
        {"s": subscriber.pk, "e": email_digest(subscriber.email)}
    )


def read_confirm_token(token):
    """Return the claim of a valid, unexpired confirmation token, or None."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        return TokenClaim(
            subscriber_id=int(data["s"]),
            email_digest=str(data["e"]),
            issued_at=datetime.fromtimestamp(int(data["t"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def read_unsubscribe_token(token):
    """Return the claim of a valid unsubscribe token, or None."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
        return TokenClaim(subscriber_id=int(data["s"]), email_digest=str(data["e"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
