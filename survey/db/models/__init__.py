"""SQLAlchemy 2 typed models, one module per capability; import them from here.

Anonymity by design (see README): a response never holds a name, an e-mail address or a
token. While it is being filled in, its invitation points at it; on submit that pointer is
cut and the invitation is only marked used, so nobody can tell whose response is whose.
Submitted responses keep only the date, never a time.
"""

from survey.db.models.answers import Answer, Comment, Response, ResponseState
from survey.db.models.base import Base
from survey.db.models.instruments import AgencyType, Dimension, Item, Questionnaire
from survey.db.models.rounds import Association, Invitation, InvitationKind, Round, RoundState

__all__ = [
    "AgencyType",
    "Answer",
    "Association",
    "Base",
    "Comment",
    "Dimension",
    "Invitation",
    "InvitationKind",
    "Item",
    "Questionnaire",
    "Response",
    "ResponseState",
    "Round",
    "RoundState",
]
