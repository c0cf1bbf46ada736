from .content import ContentVersion
from .imports import ImportedFile
from .meetings import Attendance, StudySession
from .members import Member
from .notifications import Delivery, Notification, NotificationKind, NotificationPreference
from .papers import Paper, PaperLink, RateLimit, normalize_url, parse_paper_link
from .planning import ClaimResult, Nomination, NominationVote, TalkSlot
from .reflections import Reflection, Tag
from .reminders import SentReminder
from .retros import ActionItem, Card, CardVote, Column, RetroBoard
from .seasons import Season, SeasonMembership
from .talks import Answer, Presentation, PresentationPaper, PresentationPresenter, Question

__all__ = [
    "ActionItem",
    "Card",
    "CardVote",
    "Column",
    "RetroBoard",
    "Answer",
    "Attendance",
    "ClaimResult",
    "ContentVersion",
    "Delivery",
    "ImportedFile",
    "Member",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Nomination",
    "NominationVote",
    "Paper",
    "PaperLink",
    "Presentation",
    "PresentationPaper",
    "PresentationPresenter",
    "Question",
    "RateLimit",
    "Reflection",
    "Season",
    "SeasonMembership",
    "SentReminder",
    "StudySession",
    "TalkSlot",
    "Tag",
    "normalize_url",
    "parse_paper_link",
]
