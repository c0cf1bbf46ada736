from django.urls import path, register_converter

from .models.seasons import SLUG_PATTERN
from .views import (
    accounts,
    attendance,
    bench,
    bibtex,
    feeds,
    home,
    media,
    meetings,
    members,
    notifications,
    papers,
    participation,
    planning,
    reflections,
    retros,
    search,
    seasons,
    talks,
)

app_name = "study"


class SeasonConverter:
    """A season's address in a URL: only what a slug can be matches, so a
    NUL character or other junk is a 404 before any query."""

    regex = SLUG_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(SeasonConverter, "season")

urlpatterns = [
    path("media/<path:path>", media.serve_media, name="media"),
    # Home, sessions, talks, questions and answers, papers.
    path("", home.home, name="home"),
    path("sessions/", meetings.session_list, name="session-list"),
    path("sessions/new/", meetings.session_create, name="session-create"),
    # Seasons, and their sessions numbered within them.
    path("seasons/new/", seasons.season_create, name="season-create"),
    path("seasons/<season:season>/", seasons.season_detail, name="season-detail"),
    path("seasons/<season:season>/edit/", seasons.season_edit, name="season-edit"),
    path("seasons/<season:season>/roster/", seasons.roster_edit, name="season-roster"),
    path("seasons/<season:season>/<int:number>/", meetings.session_detail, name="session-detail"),
    path("seasons/<season:season>/<int:number>/edit/", meetings.session_edit, name="session-edit"),
    path(
        "seasons/<season:season>/<int:number>/delete/",
        meetings.session_delete,
        name="session-delete",
    ),
    path("seasons/<season:season>/<int:number>/talks/new/", talks.talk_create, name="talk-create"),
    path("talks/<int:pk>/", talks.talk_detail, name="talk-detail"),
    path("talks/<int:pk>/edit/", talks.talk_edit, name="talk-edit"),
    path("talks/<int:pk>/delete/", talks.talk_delete, name="talk-delete"),
    path("talks/<int:pk>/questions/new/", talks.question_create, name="question-create"),
    path("questions/<int:pk>/edit/", talks.question_edit, name="question-edit"),
    path("questions/<int:pk>/delete/", talks.question_delete, name="question-delete"),
    path("questions/<int:pk>/answers/new/", talks.answer_create, name="answer-create"),
    path("answers/<int:pk>/edit/", talks.answer_edit, name="answer-edit"),
    path("answers/<int:pk>/delete/", talks.answer_delete, name="answer-delete"),
    path("papers/", papers.paper_list, name="paper-list"),
    path("papers/<int:pk>/", papers.paper_detail, name="paper-detail"),
    # Members, invitations, reflections and journals.
    path("members/", members.member_list, name="member-list"),
    path("members/new/", members.member_create, name="member-create"),
    path("members/me/edit/", members.profile_edit, name="profile-edit"),
    path("members/<int:pk>/", members.member_detail, name="member-detail"),
    path("members/<int:pk>/invite/", members.member_invite, name="member-invite"),
    path("invite/<uidb64>/<token>/", accounts.invitation_accept, name="invitation-accept"),
    path(
        "seasons/<season:season>/<int:number>/reflection/",
        reflections.reflection_edit,
        name="reflection-edit",
    ),
    path("reflections/<int:pk>/delete/", reflections.reflection_delete, name="reflection-delete"),
    path("journal/", reflections.journal_list, name="journal-list"),
    path("journal/new/", reflections.journal_create, name="journal-create"),
    path("journal/<int:pk>/", reflections.journal_detail, name="journal-detail"),
    path("journal/<int:pk>/edit/", reflections.journal_edit, name="journal-edit"),
    path("journal/<int:pk>/delete/", reflections.journal_delete, name="journal-delete"),
]

# Search, paper library tools, feeds, attendance and participation.
urlpatterns += [
    path("search/", search.search_page, name="search"),
    path("papers/library.bib", bibtex.library_bibtex, name="library-bibtex"),
    path("papers/<int:pk>/bibtex/", bibtex.paper_bibtex, name="paper-bibtex"),
    path("feeds/<str:token>/sessions.ics", feeds.session_calendar, name="feed-calendar"),
    path("feeds/<str:token>/atom.xml", feeds.activity_feed, name="feed-activity"),
    path("feeds/reset/", feeds.feed_token_reset, name="feed-token-reset"),
    path(
        "seasons/<season:season>/<int:number>/attendance/",
        attendance.attendance_respond,
        name="attendance-respond",
    ),
    path(
        "seasons/<season:season>/<int:number>/attendance/mark/",
        attendance.attendance_mark,
        name="attendance-mark",
    ),
    path("participation/", participation.participation, name="participation"),
]

# Notifications: the inbox, email preferences, unsubscribing from an email.
urlpatterns += [
    path("notifications/", notifications.inbox, name="notification-list"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification-open"),
    path("notifications/read/", notifications.notification_read_all, name="notification-read-all"),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification-preferences",
    ),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
]

# Planning: talk slots, the rotation, the paper backlog.
urlpatterns += [
    path("seasons/<season:season>/<int:number>/slots/new/", planning.slot_open, name="slot-open"),
    path("slots/<int:pk>/claim/", planning.slot_claim, name="slot-claim"),
    path("slots/<int:pk>/assign/", planning.slot_assign, name="slot-assign"),
    path("slots/<int:pk>/give-back/", planning.slot_release, name="slot-release"),
    path("rotation/", planning.current_rotation, name="rotation-current"),
    path("seasons/<season:season>/rotation/", planning.rotation_page, name="rotation"),
    path("seasons/<season:season>/rotation/fill/", planning.rotation_fill, name="rotation-fill"),
    path("seasons/<season:season>/away/", planning.away_set, name="away-set"),
    path("seasons/<season:season>/backlog/", planning.backlog, name="backlog"),
    path("seasons/<season:season>/backlog/new/", planning.nominate, name="nomination-create"),
    path("nominations/<int:pk>/vote/", planning.nomination_vote, name="nomination-vote"),
    path(
        "nominations/<int:pk>/withdraw/", planning.nomination_withdraw, name="nomination-withdraw"
    ),
    path("nominations/<int:pk>/take/", planning.nomination_take, name="nomination-take"),
]

# Retrospective boards, their cards and action items, what carries over.
urlpatterns += [
    path("seasons/<season:season>/retro/", retros.retro_overview, name="retro-overview"),
    path("seasons/<season:season>/<int:number>/board/", retros.board_detail, name="retro-board"),
    path(
        "seasons/<season:season>/<int:number>/board/format/",
        retros.board_format,
        name="retro-board-format",
    ),
    path(
        "seasons/<season:season>/<int:number>/board/cards/new/",
        retros.card_create,
        name="card-create",
    ),
    path("cards/<int:pk>/edit/", retros.card_edit, name="card-edit"),
    path("cards/<int:pk>/delete/", retros.card_delete, name="card-delete"),
    path("cards/<int:pk>/vote/", retros.card_vote, name="card-vote"),
    path("cards/<int:pk>/merge/", retros.card_merge, name="card-merge"),
    path("cards/<int:pk>/history/", retros.card_history, name="card-history"),
    path("cards/<int:pk>/action/", retros.action_item_edit, name="action-item-edit"),
    path("actions/<int:pk>/resolve/", retros.action_item_resolve, name="action-item-resolve"),
    path("questions/<int:pk>/close/", retros.question_close, name="question-close"),
    path("questions/<int:pk>/history/", retros.question_history, name="question-history"),
    path("answers/<int:pk>/history/", retros.answer_history, name="answer-history"),
]

# Session addresses from before seasons (/sessions/6/...) answer 301 to the
# session's place in its season: bookmarks, exports and calendars keep working.
urlpatterns += [
    path("sessions/<int:number>/", seasons.legacy_session_redirect, name="legacy-session"),
    path("sessions/<int:number>/<path:rest>", seasons.legacy_session_redirect),
]

# The base layout with no data: the benchmarks' yardstick (README, "Benchmarks").
urlpatterns += [path("bench/trivial/", bench.bench_trivial, name="bench-trivial")]
