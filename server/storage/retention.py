"""Retention: what people did (requests, feedback, statements already delivered to an LRS) is
kept RETENTION_DAYS, then purged.

Acknowledgments of mandatory policies are records people are asked to make, so they stay until
the person's data is deleted; everything else about requests goes. The scheduler runs purge()
daily; `jitlearn purge` runs it now.
"""

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from server.storage.models import Feedback, SuggestionEvent, XapiOutbox, now


def purge(db: Session, days: int) -> dict[str, int]:
    """Delete requests and feedback older than days; returns how many of each."""
    if days < 1:
        raise ValueError("keep events at least a day")
    before = now() - timedelta(days=days)
    feedback = db.execute(delete(Feedback).where(Feedback.created_at < before,
                                                 Feedback.action != "acknowledged")).rowcount
    events = db.execute(delete(SuggestionEvent).where(SuggestionEvent.created_at < before)
                        ).rowcount
    # statements the LRS has (it keeps its own record), or that it refused long ago
    sent = db.execute(delete(XapiOutbox).where(XapiOutbox.created_at < before,
                                               (XapiOutbox.sent_at.is_not(None))
                                               | XapiOutbox.rejected)).rowcount
    db.commit()
    return {"requests": events, "feedback": feedback, "statements": sent}
