from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import IntegrityError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from markdownx.admin import MarkdownxModelAdmin

from .models import (
    ActionItem,
    Answer,
    Attendance,
    Card,
    CardVote,
    ImportedFile,
    Member,
    Nomination,
    NominationVote,
    Notification,
    NotificationPreference,
    Paper,
    Presentation,
    PresentationPaper,
    PresentationPresenter,
    Question,
    Reflection,
    RetroBoard,
    Season,
    SeasonMembership,
    StudySession,
    Tag,
    TalkSlot,
)
from .models.base import count_of


class MarkdownxInlineMixin:
    formfield_overrides = MarkdownxModelAdmin.formfield_overrides


class MergeMembersForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        widget=forms.RadioSelect,
        label=_("Member to keep"),
        help_text=_(
            "Every talk, question, answer, reflection and attendance of the other member moves to this one."
        ),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = members


@admin.action(description=_("Merge the two selected members"))
def merge_members(modeladmin, request, queryset):
    members = queryset.order_by("pk")
    if members.count() != 2:
        modeladmin.message_user(
            request, _("Select exactly two members to merge."), level=messages.ERROR
        )
        return None
    form = MergeMembersForm(request.POST if "keep" in request.POST else None, members=members)
    if form.is_valid():
        keep = form.cleaned_data["keep"]
        other = members.exclude(pk=keep.pk).get()
        name = str(other)
        keep.absorb(other)
        modeladmin.message_user(
            request,
            _("%(other)s was merged into %(keep)s.") % {"other": name, "keep": keep},
            level=messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Merge members"),
        "form": form,
        "members": members,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return render(request, "admin/study/member/merge.html", context)


class MoveSessionsForm(forms.Form):
    season = forms.ModelChoiceField(queryset=Season.objects.all(), label=_("Move to season"))


@admin.action(description=_("Move selected sessions to another season"))
def move_sessions(modeladmin, request, queryset):
    """Move sessions to another season, unless a number is taken there."""
    sessions = queryset.select_related("season").order_by("season", "number")
    form = MoveSessionsForm(request.POST if "season" in request.POST else None)
    if form.is_valid():
        season = form.cleaned_data["season"]
        numbers = [session.number for session in sessions]
        clashes = {n for n in numbers if numbers.count(n) > 1} | set(
            season.sessions.filter(number__in=numbers)
            .exclude(pk__in=[session.pk for session in sessions])
            .values_list("number", flat=True)
        )
        if clashes:
            modeladmin.message_user(
                request,
                _("Nothing was moved: “%(season)s” would have two sessions numbered %(numbers)s.")
                % {"season": season, "numbers": ", ".join(str(n) for n in sorted(clashes))},
                level=messages.ERROR,
            )
            return None
        moved = queryset.update(season=season)
        modeladmin.message_user(
            request,
            _("%(count)d session(s) moved to “%(season)s”.") % {"count": moved, "season": season},
            level=messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Move sessions to another season"),
        "form": form,
        "sessions": sessions,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return render(request, "admin/study/studysession/move.html", context)


class MemberCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Member
        fields = ["username", "display_name", "email", "role"]


class MemberChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Member


@admin.register(Member)
class MemberAdmin(MarkdownxInlineMixin, UserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ["display_name", "emoji", "username", "email", "role", "can_log_in", "is_staff"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active"]
    search_fields = ["display_name", "username", "email"]
    ordering = ["display_name"]
    actions = [merge_members]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "display_name",
                    "emoji",
                    "email",
                    "language",
                    "bio",
                    "role",
                    "default_journal_visibility",
                ]
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "display_name",
                    "email",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    @admin.display(boolean=True, description=_("can log in"))
    def can_log_in(self, member):
        return member.has_usable_password()


class PresentationInline(MarkdownxInlineMixin, admin.StackedInline):
    model = Presentation
    extra = 0
    fields = ["topic", "order", "slides", "slides_url"]
    show_change_link = True


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["member"]


class SessionInline(admin.TabularInline):
    model = StudySession
    fields = ["number", "date", "title"]
    extra = 0
    show_change_link = True


class SeasonMembershipInline(admin.TabularInline):
    model = SeasonMembership
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Season)
class SeasonAdmin(MarkdownxModelAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on", "session_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SessionInline, SeasonMembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(session_count=count_of(StudySession.objects, "season"))
        )

    @admin.display(description=_("sessions"), ordering="session_count")
    def session_count(self, season):
        return season.session_count


@admin.register(StudySession)
class StudySessionAdmin(MarkdownxModelAdmin):
    list_display = ["number", "season", "date", "title", "place", "talk_count"]
    list_filter = ["season", "date"]
    list_select_related = ["season"]
    actions = [move_sessions]
    search_fields = ["title", "place", "notes"]
    date_hierarchy = "date"
    inlines = [PresentationInline, AttendanceInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(talk_count=count_of(Presentation.objects, "session"))
        )

    @admin.display(description=_("talks"), ordering="talk_count")
    def talk_count(self, session):
        return session.talk_count


class MergePapersForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Paper.objects.none(),
        widget=forms.RadioSelect,
        label=_("Paper to keep"),
        help_text=_(
            "Every talk of the other paper moves to this one; details this one lacks are taken from the other."
        ),
    )

    def __init__(self, *args, papers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = papers
        # Duplicates share a title: the link and number tell them apart.
        self.fields["keep"].label_from_instance = lambda paper: (
            f"{paper.title} — {paper.url or '—'} (#{paper.pk})"
        )


@admin.action(description=_("Merge the two selected papers"))
def merge_papers(modeladmin, request, queryset):
    papers = queryset.order_by("pk")
    if papers.count() != 2:
        modeladmin.message_user(
            request, _("Select exactly two papers to merge."), level=messages.ERROR
        )
        return None
    form = MergePapersForm(request.POST if "keep" in request.POST else None, papers=papers)
    if form.is_valid():
        keep = form.cleaned_data["keep"]
        other = papers.exclude(pk=keep.pk).get()
        title = str(other)
        try:
            keep.absorb(other)
        except IntegrityError:
            modeladmin.message_user(
                request,
                _("Nothing was merged: the two papers have rows that cannot be joined."),
                level=messages.ERROR,
            )
            return None
        modeladmin.message_user(
            request,
            _("“%(other)s” was merged into “%(keep)s”.") % {"other": title, "keep": keep},
            level=messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Merge papers"),
        "form": form,
        "papers": papers,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return render(request, "admin/study/paper/merge.html", context)


@admin.action(description=_("Fetch details again (edited fields are kept)"))
def refetch_metadata(modeladmin, request, queryset):
    papers = list(queryset.has_identifier())
    for paper in papers:
        paper.fetch_metadata_later()
    modeladmin.message_user(
        request,
        _("Details of %(count)d paper(s) will be fetched in the background.")
        % {"count": len(papers)},
        level=messages.SUCCESS,
    )


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["title", "authors", "year", "venue", "metadata_state", "arxiv_id", "doi"]
    list_filter = ["metadata_state", "venue_kind", "year"]
    search_fields = ["title", "authors", "arxiv_id", "doi", "url", "venue"]
    actions = [merge_papers, refetch_metadata]
    readonly_fields = [
        "metadata_state",
        "metadata_attempted_at",
        "metadata_retry_at",
        "metadata_error",
        "edited",
    ]
    fields = [
        "title",
        "url",
        "authors",
        "year",
        "published_on",
        "venue",
        "venue_kind",
        "arxiv_category",
        "arxiv_version",
        "abstract",
        "metadata_state",
        "metadata_attempted_at",
        "metadata_retry_at",
        "metadata_error",
        "edited",
    ]

    @admin.display(description=_("Edited by a person (kept when fetching)"))
    def edited(self, paper):
        return ", ".join(
            str(Paper._meta.get_field(name).verbose_name) for name in paper.edited_fields
        )

    def save_model(self, request, obj, form, change):
        """What a person typed here is theirs: a later fetch leaves it. A new
        paper, or one given another link, has its details fetched."""
        adding = not change
        identifiers = None if adding else (obj.arxiv_id, obj.doi)
        if adding:
            typed = [
                name for name in form.changed_data if form.cleaned_data.get(name) not in ("", None)
            ]
            obj.mark_edited(typed)
        else:
            obj.mark_edited(form.changed_data)
        super().save_model(request, obj, form, change)
        relinked = adding or identifiers != (obj.arxiv_id, obj.doi)
        if "url" in form.changed_data and obj.has_identifier and relinked:
            obj.fetch_metadata_later()


class PresenterInline(admin.TabularInline):
    model = PresentationPresenter
    extra = 1
    autocomplete_fields = ["member"]


class PaperInline(admin.TabularInline):
    model = PresentationPaper
    extra = 1
    autocomplete_fields = ["paper"]


class QuestionInline(MarkdownxInlineMixin, admin.StackedInline):
    model = Question
    extra = 0
    fields = ["addressed_to", "asked_by", "body", "position"]
    autocomplete_fields = ["addressed_to", "asked_by"]
    show_change_link = True


@admin.register(Presentation)
class PresentationAdmin(MarkdownxModelAdmin):
    list_display = ["topic", "session", "presenter_names"]
    list_filter = ["session"]
    list_select_related = ["session"]
    search_fields = ["topic", "summary", "presenters__display_name"]
    autocomplete_fields = ["session"]
    inlines = [PresenterInline, PaperInline, QuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("presenter_links__member")

    @admin.display(description=_("presenters"))
    def presenter_names(self, presentation):
        return ", ".join(str(member) for member in presentation.ordered_presenters())


class AnswerInline(MarkdownxInlineMixin, admin.StackedInline):
    model = Answer
    extra = 0
    autocomplete_fields = ["author"]


@admin.register(Question)
class QuestionAdmin(MarkdownxModelAdmin):
    list_display = ["__str__", "presentation", "addressed_to", "asked_by", "answer_count"]
    list_select_related = ["presentation", "addressed_to", "asked_by"]
    search_fields = ["body", "presentation__topic"]
    list_filter = ["presentation__session"]
    autocomplete_fields = ["presentation", "addressed_to", "asked_by"]
    inlines = [AnswerInline]
    # Newest first, by the primary key: a page of a long history without
    # sorting all of it.
    ordering = ["-pk"]

    def get_queryset(self, request):
        """Questions with `answer_count`, counted per question shown (a
        subquery), not by grouping every question with its answers."""
        return (
            super()
            .get_queryset(request)
            .annotate(answer_count=count_of(Answer.objects, "question"))
        )

    @admin.display(description=_("answers"), ordering="answer_count")
    def answer_count(self, question):
        return question.answer_count


@admin.register(Answer)
class AnswerAdmin(MarkdownxModelAdmin):
    list_display = ["__str__", "question", "author", "created_at"]
    list_select_related = ["question", "author"]
    ordering = ["-pk"]
    search_fields = ["body"]
    autocomplete_fields = ["question", "author"]


@admin.register(Reflection)
class ReflectionAdmin(MarkdownxModelAdmin):
    list_display = ["__str__", "kind", "visibility", "author", "session", "date"]
    list_filter = ["kind", "visibility", "session"]
    # Newest first, by the primary key: no sort of every entry's text.
    ordering = ["-pk"]
    list_select_related = ["author", "session"]
    search_fields = ["title", "body", "author__display_name"]
    autocomplete_fields = ["author", "session", "tags"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["session", "member", "response", "attended"]
    list_filter = ["response", "attended", "session"]
    ordering = ["-pk"]
    list_select_related = ["session", "member"]
    autocomplete_fields = ["session", "member"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "actor",
        "target_label",
        "read_at",
        "email",
        "emailed_at",
    ]
    list_filter = ["kind", "email"]
    search_fields = ["recipient__display_name", "target_label"]
    ordering = ["-created_at", "-pk"]
    list_select_related = ["recipient", "actor"]
    autocomplete_fields = ["recipient", "actor"]
    readonly_fields = ["target_type", "target_id", "email_attempts", "emailed_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
    list_select_related = ["member"]
    autocomplete_fields = ["member"]


@admin.register(ImportedFile)
class ImportedFileAdmin(admin.ModelAdmin):
    list_display = ["path", "imported_at", "imported_by", "session", "journal"]
    list_select_related = ["imported_by", "session", "journal"]
    search_fields = ["path", "checksum"]
    readonly_fields = [
        "path",
        "checksum",
        "imported_at",
        "imported_by",
        "session",
        "journal",
        "created",
    ]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        from django.urls import path

        from .legacy.admin_views import import_view

        return [
            path(
                "import/",
                self.admin_site.admin_view(lambda request: import_view(self, request)),
                name="study_importedfile_import",
            ),
            *super().get_urls(),
        ]


admin.site.site_header = _("Study group administration")
admin.site.site_title = _("Study group")


@admin.register(TalkSlot)
class TalkSlotAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "theme",
        "holder",
        "claimed_at",
        "talk",
        "given_back_by",
        "given_back_at",
    ]
    list_filter = ["session__season"]
    list_select_related = ["session__season", "holder", "talk", "given_back_by"]
    autocomplete_fields = ["session", "holder", "talk", "given_back_by"]
    search_fields = ["theme", "holder__display_name", "talk__topic"]


class NominationVoteInline(admin.TabularInline):
    model = NominationVote


class CardInline(admin.TabularInline):
    model = Card
    fields = ["column", "body", "anonymous", "merged_into"]
    fk_name = "board"
    extra = 0
    show_change_link = True


@admin.register(RetroBoard)
class RetroBoardAdmin(admin.ModelAdmin):
    list_display = ["__str__", "format", "card_count"]
    list_select_related = ["session__season"]
    list_filter = ["format", "session__season"]
    autocomplete_fields = ["session"]
    inlines = [CardInline]
    ordering = ["-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(card_count=count_of(Card.objects, "board"))

    @admin.display(description=_("cards"), ordering="card_count")
    def card_count(self, board):
        return board.card_count


class CardVoteInline(admin.TabularInline):
    model = CardVote
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["paper", "season", "author", "created_at", "slot", "withdrawn_at", "vote_count"]
    list_filter = ["season"]
    list_select_related = ["paper", "season", "author", "slot__session__season"]
    autocomplete_fields = ["paper", "author", "slot", "withdrawn_by"]
    search_fields = ["paper__title", "note", "author__display_name"]
    inlines = [NominationVoteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_votes()

    @admin.display(description=_("votes"), ordering="vote_count")
    def vote_count(self, nomination):
        return nomination.vote_count


@admin.register(NominationVote)
class NominationVoteAdmin(admin.ModelAdmin):
    list_display = ["nomination", "member", "created_at"]
    list_select_related = ["nomination__paper", "member"]
    autocomplete_fields = ["nomination", "member"]
    search_fields = ["nomination__paper__title", "member__display_name"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    """Cards; an anonymous card's author is shown to superusers only: other
    staff see neither the column nor the field."""

    list_select_related = ["board__session__season", "author"]
    list_filter = ["column", "anonymous", "board__session__season"]
    search_fields = ["body"]
    inlines = [CardVoteInline]
    ordering = ["-pk"]
    raw_id_fields = ["board", "merged_into"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(vote_count=count_of(CardVote.objects, "card"))

    def get_fields(self, request, obj=None):
        fields = ["board", "column", "body", "author", "anonymous", "merged_into", "imported_votes"]
        if obj is not None and obj.anonymous and not request.user.is_superuser:
            fields.remove("author")
        return fields

    def get_inlines(self, request, obj):
        # The author often votes for their own card: an anonymous card's
        # voters are for superusers only, too.
        if obj is not None and obj.anonymous and not request.user.is_superuser:
            return []
        return super().get_inlines(request, obj)

    def get_list_display(self, request):
        @admin.display(description=_("author"))
        def author(card):
            if card.anonymous and not request.user.is_superuser:
                return _("Anonymous")
            return card.author or "–"

        return ["__str__", "board", "column", author, "anonymous", "vote_count"]

    @admin.display(description=_("votes"), ordering="vote_count")
    def vote_count(self, card):
        return card.vote_count + card.imported_votes


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "due_session", "status", "resolved_by", "resolved_at"]
    list_select_related = ["owner", "due_session__season", "resolved_by"]
    list_filter = ["status", "due_session__season"]
    search_fields = ["title"]
    raw_id_fields = ["card"]
    autocomplete_fields = ["owner", "due_session", "resolved_by", "created_by"]
    ordering = ["-pk"]
