"""SQLAlchemy 2 typed models, one module per capability; import them from here.

Anonymity by design (see README, "Threat model"): nothing holds a name, an e-mail address
or a token. While answers are in progress their invitation points at a draft; on submit the
answers move to a response under a random key, the draft is deleted and the invitation is
only marked used, so nobody can tell whose response is whose. A submitted response keeps
nothing finer than its round: no date, no time, no order.
"""

from survey.db.models.accounts import (
    SYSTEM_ROLES,
    AuditEvent,
    FederatedIdentity,
    LoginSession,
    Membership,
    RecoveryCode,
    Role,
    User,
)
from survey.db.models.answers import (
    Answer,
    Comment,
    Draft,
    DraftAnswer,
    DraftComment,
    Response,
    SubmissionDay,
    answers_of_response,
    random_key,
)
from survey.db.models.api import ApiToken, TokenScope
from survey.db.models.base import Base
from survey.db.models.figures import FigureSnapshot, SnapshotFigure
from survey.db.models.instruments import AgencyType, Dimension, Item, Questionnaire
from survey.db.models.mail import (
    MailLanguage,
    MailMessage,
    MailRecipient,
    MailText,
    MailWorkerBeat,
    MessageKind,
    MessageStatus,
)
from survey.db.models.maturity import ACTION_STATUSES, Action, AgreedLevel, Workshop
from survey.db.models.rounds import Association, Invitation, InvitationKind, Round, RoundState
from survey.db.models.saml import SeenAssertion

__all__ = [
    "ACTION_STATUSES",
    "Action",
    "AgencyType",
    "AgreedLevel",
    "ApiToken",
    "AuditEvent",
    "FederatedIdentity",
    "LoginSession",
    "Answer",
    "answers_of_response",
    "Association",
    "Base",
    "Comment",
    "Dimension",
    "Draft",
    "FigureSnapshot",
    "DraftAnswer",
    "DraftComment",
    "Invitation",
    "InvitationKind",
    "Item",
    "MailLanguage",
    "MailMessage",
    "MailRecipient",
    "MailText",
    "MailWorkerBeat",
    "MessageKind",
    "MessageStatus",
    "Membership",
    "Workshop",
    "Questionnaire",
    "RecoveryCode",
    "Response",
    "Role",
    "Round",
    "SnapshotFigure",
    "RoundState",
    "SYSTEM_ROLES",
    "SeenAssertion",
    "SubmissionDay",
    "TokenScope",
    "User",
    "random_key",
]
