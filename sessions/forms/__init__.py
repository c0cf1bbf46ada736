"""Forms of the members' web app, one module per concern."""

from .meetings import StudySessionForm
from .talks import AnswerForm, PresentationForm, QuestionForm

__all__ = ["AnswerForm", "PresentationForm", "QuestionForm", "StudySessionForm"]
