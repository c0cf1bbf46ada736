from .content import ContentVersion
from .imports import ImportedFile
from .meetings import Attendance, StudySession
from .members import Member
from .papers import Paper, PaperLink, normalize_url, parse_paper_link
from .reflections import Reflection, Tag
from .reminders import SentReminder
from .seasons import Season, SeasonMembership
from .talks import Answer, Presentation, PresentationPaper, PresentationPresenter, Question

__all__ = [
    "Answer",
    "Attendance",
    "ContentVersion",
    "ImportedFile",
    "Member",
    "Paper",
    "PaperLink",
    "Presentation",
    "PresentationPaper",
    "PresentationPresenter",
    "Question",
    "Reflection",
    "Season",
    "SeasonMembership",
    "SentReminder",
    "StudySession",
    "Tag",
    "normalize_url",
    "parse_paper_link",
]
