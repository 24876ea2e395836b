"""The tuinews Textual app: sources, headlines and article panes, a language switcher and search.

The event loop only paints and routes keys: every cache and file operation runs in a thread worker with
its own store connection and comes back as a message (see `tuinews.ui.messages`).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from tuinews import library
from tuinews.background_load import Failed, Finished, LoadJob, Step, background_load
from tuinews.cache_notes import recovery_note
from tuinews.config import Config
from tuinews.i18n import N_, _, ngettext, set_ui_language, ui_language
from tuinews.languages import language_label
from tuinews.model import Article, LanguageCount, Source, SourceKind
from tuinews.render.article import render_article
from tuinews.search_query import QueryError, SearchQuery, parse_query
from tuinews.store import HeadlineFilter, Store, StoreError
from tuinews.sync.session import SyncSession
from tuinews.translate.base import TranslateError
from tuinews.translate.service import (
    MachineTranslation,
    same_language,
    target_language,
    translate,
)
from tuinews.ui.article_view import ArticleView
from tuinews.ui.background_work import frozen_heap
from tuinews.ui.commands import TuinewsCommands
from tuinews.ui.footer import Footer
from tuinews.ui.fulltext_actions import FullTextActions
from tuinews.ui.headline_list import HeadlineList
from tuinews.ui.help_screen import HelpScreen
from tuinews.ui.key_names import footer_key
from tuinews.ui.keymap import remap
from tuinews.ui.language_screen import ALL_LANGUAGES, MY_LANGUAGES, UI_PREFIX, LanguageScreen
from tuinews.ui.link_actions import LinkActions
from tuinews.ui.messages import (
    ArticleOpened,
    CountsLoaded,
    FilesLoaded,
    LoadFailed,
    LoadProgress,
    MachineTranslationFailed,
    MachineTranslationProgress,
    MachineTranslationReady,
    SourcesReady,
    StoreFailed,
    ViewLoaded,
)
from tuinews.ui.reading_state import ReadingState
from tuinews.ui.sources_pane import SourcesPane, parse_option, tag_source_ids
from tuinews.ui.textual_words import (
    COMMANDS_PLACEHOLDER,
    THEMES_PLACEHOLDER,
    translated_commands,
)
from tuinews.ui.themes import register_themes
from tuinews.ui.translated import TranslatedScreen, relabel_footers
from tuinews.ui.version_screen import VersionScreen

FIRST_PAGE = 200
"""Headlines loaded before the first paint; the rest follow in the same worker."""
NARROW = 90
"""Below this many columns the sources pane hides."""
LANGUAGE_SETTING = "reader.language"
UI_LANGUAGE_SETTING = "ui.language"
THEME_SETTING = "ui.theme"
SEARCH_DELAY = 0.15
TRANSLATION_OFF = N_(
    'Machine translation is off. To turn it on, set [translate] backend = "libretranslate"'
    " and url = the server's address in the config file."
)
MAX_NOTIFIED_ERRORS = 5
INTERIM_RELOAD = 1.0
"""Seconds between reloads of an empty headline list while a load brings articles in: a first
refresh or sync shows what it has stored so far (a list with rows waits for the end)."""


class SearchInput(Input):
    """The search box above the headlines; Esc clears it."""

    BINDINGS = [Binding("escape", "app.clear_search", N_("Clear search"), id="search.clear")]


class TuinewsApp(ReadingState, LinkActions, FullTextActions, App[int]):
    """A terminal news reader."""

    CSS_PATH = "tuinews.tcss"
    TITLE = "tuinews"
    COMMANDS = App.COMMANDS | {TuinewsCommands}
    BINDINGS = [
        Binding("q", "quit", N_("Quit"), id="app.quit"),
        Binding("l", "languages", N_("Language"), id="app.languages"),
        Binding("r", "refresh", N_("Refresh"), id="app.refresh"),
        Binding("t", "translation", N_("Translation"), show=False, id="app.translation"),
        Binding("T", "machine_translate", N_("Translate"), show=False, id="app.translate"),
        Binding("slash", "search", N_("Search"), key_display="/", id="app.search"),
        # Esc clears a search from anywhere (the search box has its own); otherwise it passes.
        Binding("escape", "clear_search", N_("Clear search"), show=False, id="app.clear_search"),
        Binding("space", "page", N_("Page"), key_display=N_("Space"), show=False, id="app.page"),
        Binding("question_mark", "help", N_("Help"), key_display="?", id="app.help"),
        *ReadingState.READING_BINDINGS,
        *LinkActions.LINK_BINDINGS,
        *FullTextActions.FULL_TEXT_BINDINGS,
    ]

    def __init__(self, config: Config, paths: Sequence[str | Path] = ()) -> None:
        super().__init__()
        self.config = config
        self._undo = []
        self.paths = list(paths)
        self.sources: list[Source] = []
        self.language = config.reader.language or ALL_LANGUAGES
        self.source_filter: int | None = None
        self.tag_filter: str | None = None
        """A tag row of the sources pane was chosen: the headlines of all its sources."""
        self.search_text = ""
        self._search_query: SearchQuery | None = None
        self._search_error: str | None = None
        """Why the search as typed is malformed (shown instead of headlines), or None."""
        self.language_counts: list[LanguageCount] = []
        self._generation = 0
        self._total = 0
        self._search_timer: Timer | None = None
        self._jump_to_first_match = False
        self._view_pending = False
        self._files_started = False
        self._version_switch: int | None = None
        self._refresh_requested = False
        self._progress: tuple[str, int, int] | None = None
        """What is loading: ("files"|"feeds"|"refresh", done, total), or None."""
        self._interim_at = float("-inf")
        """When the empty list was last reloaded while a load ran (`INTERIM_RELOAD`)."""
        self._machine: tuple[MachineTranslation, Article] | None = None
        """The machine translation on show (`T`) and the original it replaced, or None."""
        self._translating: tuple[int, int, int] | None = None
        """A machine translation in progress: (article id, paragraphs done, paragraphs), or None."""
        self._loaded = False
        self._hide: tuple[tuple[int, str], ...] = ()
        """The sources' `hide` rules as `HeadlineFilter.hide` pairs, once they are registered."""
        self._sync = SyncSession(config) if config.sync.enabled and not self.paths else None
        """`r` also syncs with the feed server of `[sync]` (not when reading given paths)."""
        set_ui_language(config.reader.ui_language)
        register_themes(self)
        if config.ui.theme in self.available_themes:
            self.theme = config.ui.theme
        if config.keys:
            self.set_keymap(config.keys)

    # Layout

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="main"):
            yield SourcesPane(id="sources")
            with Vertical(id="reader"):
                yield SearchInput(id="search")
                yield HeadlineList(id="headlines")
                yield ArticleView(id="article")
        yield Footer()

    def get_default_screen(self) -> Screen:
        return TranslatedScreen(id="_default")

    def on_mount(self) -> None:
        self._relabel()
        self.query_one(HeadlineList).focus()
        self._apply_width(self.size.width)
        self.start_session()

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        self.screen.set_class(width < NARROW, "narrow")

    # Workers: everything that touches the cache or files

    def _store(self) -> Store:
        return Store(self.config.cache.path)

    @work(thread=True, exclusive=True, group="session", exit_on_error=False)
    def start_session(self) -> None:
        """Show the cached headlines first, then load new and changed files."""
        sources = library.session_sources(self.config, self.paths)
        try:
            with self._store() as store:
                if (note := recovery_note(store)) is not None:
                    self.post_message(StoreFailed(note))
                library.register_sources(store, sources)
                if self._sync is not None:  # the feed server's subscriptions
                    sources += library.server_sources(store, self.config)
                saved = store.get_setting(LANGUAGE_SETTING)
                saved_ui = store.get_setting(UI_LANGUAGE_SETTING)
                saved_theme = store.get_setting(THEME_SETTING)
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))
            return
        self.call_from_thread(self._apply_saved_theme, saved_theme)
        self.post_message(SourcesReady(sources, saved or self.language, saved_ui))

    def _apply_saved_theme(self, saved: str | None) -> None:
        """The theme picked last time wins over `[ui] theme`; later picks are remembered."""
        if saved and saved in self.available_themes and saved != self.theme:
            self.theme = saved
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: object) -> None:
        self.save_setting(THEME_SETTING, self.theme)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def load_files(self, sources: list[Source], feeds: bool) -> None:
        """Load new and changed local files, then (with `feeds`) refresh the feeds and sync, into
        the cache: in a process of its own (`tuinews.background_load`); this thread only passes
        on what it says. Cancelling the worker (or quitting) stops that process."""
        job = LoadJob(
            config=self.config,
            sources=list(sources),
            feeds=feeds,
            sync=self._sync,
            language=ui_language(),
            environ=dict(os.environ),
            cwd=os.getcwd(),
        )
        stop = get_current_worker().cancelled_event
        with frozen_heap(), contextlib.closing(background_load(job, stop)) as events:
            for event in events:
                if isinstance(event, Step):
                    self.post_message(LoadProgress(event.kind, event.done, event.total))
                elif isinstance(event, Finished):
                    if event.sync is not None:
                        self._sync = event.sync  # with the password the sync asked for
                    report = event.report
                    self.post_message(
                        FilesLoaded(report, changed=bool(report.added or report.updated))
                    )
                elif isinstance(event, Failed):
                    self.post_message(LoadFailed(event.error, event.cache))

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def load_view(
        self, view: HeadlineFilter, generation: int, first_match: bool, rest: bool = False
    ) -> None:
        """Headlines of a view: the first screenful, or (with `rest`) everything after it."""
        try:
            with self._store() as store:
                if rest:
                    rows = store.headlines(view, offset=FIRST_PAGE, limit=-1)
                else:
                    rows = store.headlines(view, limit=FIRST_PAGE)
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))
            return
        self.post_message(ViewLoaded(generation, rows, rest, first_match))

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def load_counts(self, source_ids: list[int]) -> None:
        """Counts for the sources pane and the language switcher."""
        try:
            with self._store() as store:
                # Counted as the list shows them: without what `hide` rules keep out.
                sources = store.source_counts(source_ids, hide=self._hide)
                view = HeadlineFilter(source_ids=self._narrowed(source_ids))
                languages = store.language_counts(list(view.source_ids), hide=self._hide)
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))
            return
        total = sum(item.total for item in sources)
        unread = sum(item.unread for item in sources)
        self.post_message(CountsLoaded(sources, languages, total, unread))

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def open_article(self, article_id: int) -> None:
        """Read an article from the cache and mark it read."""
        try:
            with self._store() as store:
                article = library.open_article(store, article_id)
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))
            return
        if article is not None:
            self.post_message(ArticleOpened(article))

    @work(thread=True, exclusive=True, group="machine-translate", exit_on_error=False)
    def machine_translate(self, article: Article, target: str) -> None:
        """Machine-translate an article (`T`): from the cache when it can, else with the backend."""
        article_id = article.id or 0

        def progress(done: int, total: int) -> None:
            self.post_message(MachineTranslationProgress(article_id, done, total))

        try:
            with self._store() as store:
                result = translate(store, article, target, self.config, progress=progress)
        except StoreError as exc:
            self.post_message(MachineTranslationFailed(article_id, ""))
            self.post_message(StoreFailed(str(exc)))
            return
        except TranslateError as exc:
            self.post_message(MachineTranslationFailed(article_id, str(exc)))
            return
        self.post_message(MachineTranslationReady(article_id, result))

    @work(thread=True, group="settings", exit_on_error=False)
    def save_setting(self, key: str, value: str) -> None:
        """Remember a choice in the cache."""
        try:
            with self._store() as store:
                store.set_setting(key, value)
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))

    # Message handlers

    def on_sources_ready(self, message: SourcesReady) -> None:
        self.sources = message.sources
        self._hide = library.hide_rules(self.sources)
        self.language = message.language
        if self.language == MY_LANGUAGES and not self.config.reader.languages:
            self.language = ALL_LANGUAGES
        if message.ui_language and message.ui_language != ui_language():
            self.set_interface_language(message.ui_language)
        self.refresh_view()

    def on_view_loaded(self, message: ViewLoaded) -> None:
        if message.generation != self._generation:
            return
        headlines = self.query_one(HeadlineList)
        if message.append:
            headlines.append_rows(message.rows)
        else:
            self._view_pending = False
            # Paint the first screenful before anything else competes for the interpreter.
            view = self.current_view()
            if len(message.rows) == FIRST_PAGE:
                self.call_after_refresh(self.load_view, view, message.generation, False, True)
            self.call_after_refresh(self.load_counts, self._session_ids())
            if not self._files_started:
                self._files_started = True
                self.call_after_refresh(self.load_files, self.sources, self._feeds_at_start())
            names = {source.id: source.name for source in self.sources if source.id is not None}
            headlines.set_rows(message.rows, names, keep=headlines.current_id)
        self._loaded = True
        headlines.empty_message = self._empty_message()
        self._total = headlines.row_count
        self._update_status()
        if message.first_match or self._jump_to_first_match:
            self._jump_to_first_match = False
            if headlines.row_count:
                headlines.cursor = 0
                headlines.focus()

    def on_counts_loaded(self, message: CountsLoaded) -> None:
        self.language_counts = message.languages
        for pane in self.query(SourcesPane):  # none once the reader is closing
            pane.show_counts(message.sources, message.total, message.unread)

    def on_article_opened(self, message: ArticleOpened) -> None:
        article = message.article
        keep = article.id == self._version_switch
        self._version_switch = None
        self._machine = None
        self.query_one(ArticleView).show(article, keep_position=keep)
        self._mark_full_text()
        if article.id is not None:
            self.query_one(HeadlineList).update_row(article.id, read=True)
        self.load_counts(self._session_ids())

    def on_files_loaded(self, message: FilesLoaded) -> None:
        report = message.report
        self._progress = None
        errors = report.errors
        for error in errors[:MAX_NOTIFIED_ERRORS]:
            self.notify(str(error), title=_("Could not load"), severity="warning", timeout=8)
        if len(errors) > MAX_NOTIFIED_ERRORS:
            more = len(errors) - MAX_NOTIFIED_ERRORS
            self.notify(
                ngettext("…and {count} more", "…and {count} more", more).format(count=more),
                title=_("Could not load"),
                severity="warning",
            )
        for note in report.notes[:MAX_NOTIFIED_ERRORS]:
            self.notify(note, timeout=8)
        only_server = self._sync is not None and all(
            s.kind is SourceKind.SERVER for s in self.sources
        )
        if (message.changed or self._refresh_requested) and not only_server:
            # (the sync tells its own summary)
            self.notify(report.summary(), title=_("Refreshed"))
        self._refresh_requested = False
        self._reload_source_names()

    def on_load_progress(self, message: LoadProgress) -> None:
        self._progress = (message.kind, message.done, message.total)
        headlines = self.query_one(HeadlineList)
        headlines.empty_message = f"{self._progress_text()}…"
        self._update_status()
        now = time.monotonic()
        if (
            message.done
            and self._loaded
            and not headlines.row_count
            and now - self._interim_at >= INTERIM_RELOAD
        ):
            self._interim_at = now
            self._reload_source_names()  # the sources a sync registered, then the view

    def on_load_failed(self, message: LoadFailed) -> None:
        """The load stopped short (its process died, or the cache failed): one notification."""
        self._progress = None
        self._refresh_requested = False
        if message.cache:
            self.notify(message.error, title=_("Cache"), severity="error", timeout=15)
            self._relabel()
            return
        self.notify(message.error, title=_("Refresh"), severity="error", timeout=15)
        self._reload_source_names()  # what it stored before it stopped

    def _progress_text(self) -> str:
        if self._progress is None:
            return ""
        kind, done, total = self._progress
        if kind == "files":
            return _("Loading files {done}/{total}").format(done=done, total=total)
        if kind == "feeds":
            return _("Refreshing feeds {done}/{total}").format(done=done, total=total)
        if kind == "sync" and total:
            return _("Syncing {done}/{total}").format(done=done, total=total)
        if kind == "sync":
            return _("Syncing")
        return _("Refreshing")

    def on_store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, title=_("Cache"), severity="error", timeout=15)

    def on_machine_translation_progress(self, message: MachineTranslationProgress) -> None:
        if self._translating is not None and self._translating[0] == message.article_id:
            self._translating = (message.article_id, message.done, message.total)
            self._update_status()

    def on_machine_translation_failed(self, message: MachineTranslationFailed) -> None:
        if self._translating is not None and self._translating[0] == message.article_id:
            self._translating = None
            self._update_status()
        if message.error and self.config.translate.backend == "none":
            self.notify(_(TRANSLATION_OFF), title=_("Machine translation"), timeout=10)
        elif message.error:
            self.notify(message.error, title=_("Machine translation"), severity="error", timeout=10)

    def on_machine_translation_ready(self, message: MachineTranslationReady) -> None:
        if self._translating is not None and self._translating[0] == message.article_id:
            self._translating = None
            self._update_status()
        view = self.query_one(ArticleView)
        original = view.article
        # The reader may have moved on while the translation was made.
        if original is None or original.id != message.article_id or self._machine is not None:
            return
        self._machine = (message.result, original)
        view.show(message.result.article, keep_position=True)
        self._mark_machine_translation()

    def _mark_machine_translation(self) -> None:
        """Put the "machine translation" line above the translated article on show."""
        if self._machine is None:
            return
        result, _original = self._machine
        view = self.query_one(ArticleView)
        if view.article is not result.article:
            return
        marker = Text(
            _("Machine translation from {language} ({backend}) — T again for the original").format(
                language=language_label(result.source), backend=result.backend
            ),
            style="dim italic",
        )
        body = Group(marker, Text(), render_article(result.article, view.highlight))
        self.query_one("#article-body", Static).update(body)

    def _translating_text(self) -> str:
        if self._translating is None:
            return ""
        _id, done, total = self._translating
        if not total:
            return _("Translating…")
        return _("Translating {done}/{total}…").format(done=done, total=total)

    @on(HeadlineList.Selected)
    def _headline_selected(self, event: HeadlineList.Selected) -> None:
        self.open_article(event.article_id)

    @on(SourcesPane.OptionSelected, "#sources")
    def _source_selected(self, event: SourcesPane.OptionSelected) -> None:
        self.source_filter, self.tag_filter = parse_option(event.option.id)
        self.refresh_view()
        self.query_one(HeadlineList).focus()

    # The view

    def _session_ids(self) -> list[int]:
        return [source.id for source in self.sources if source.id is not None]

    def _narrowed(self, source_ids: list[int]) -> tuple[int, ...]:
        if self.source_filter is not None:
            return (self.source_filter,)
        if self.tag_filter is not None:
            return tag_source_ids(self.sources, self.tag_filter) or (-1,)
        # An empty tuple would mean "every source in the cache": keep the session's own.
        return tuple(source_ids) or (-1,)

    def current_view(self) -> HeadlineFilter:
        """The headline filter for the current source, language and search."""
        mine = self.config.reader.languages
        language = None if self.language in (ALL_LANGUAGES, MY_LANGUAGES) else self.language
        return HeadlineFilter(
            languages=mine if self.language == MY_LANGUAGES else (),
            prefer=mine if mine and self.config.reader.collapse_translations else (),
            source_ids=self._narrowed(self._session_ids()),
            language=language,
            query=self._search_query,
            hide=self._hide,
            unread=self.reading_view == "unread",
            starred=self.reading_view == "starred",
        )

    def refresh_view(self, *, first_match: bool = False) -> None:
        """Reload the headlines (and counts) for the current filters, in workers."""
        self._generation += 1
        if self._search_error is not None:
            # A malformed search shows why instead of headlines; nothing to load.
            self._view_pending = False
            headlines = self.query_one(HeadlineList)
            headlines.set_rows([], {})
            headlines.empty_message = self._search_error
            self._total = 0
            self._update_status()
            return
        self._view_pending = True
        self.load_view(self.current_view(), self._generation, first_match)
        self._update_status()

    def _set_search(self, text: str) -> bool:
        """Parse the search box's text; returns False when it is unchanged."""
        if text == self.search_text:
            return False
        self.search_text = text
        try:
            query = parse_query(text) if text else None
        except QueryError as exc:
            self._search_query = None
            self._search_error = str(exc)
        else:
            self._search_query = None if query is None or query.empty else query
            self._search_error = None
        terms = self._search_query.highlight_terms if self._search_query else frozenset()
        self.query_one(HeadlineList).highlight_terms = terms
        self.query_one(ArticleView).set_highlight(terms)
        return True

    def _empty_message(self) -> str:
        if self._search_error is not None:
            return self._search_error
        if self.search_text:
            return _("No articles match “{text}”. Esc clears the search.").format(
                text=self.search_text
            )
        if self.language != ALL_LANGUAGES:
            return _("No articles in this language. Press l to pick another.")
        return _("No articles yet.")

    def _update_status(self) -> None:
        language = (
            _("All languages") if self.language == ALL_LANGUAGES else language_label(self.language)
        )
        if self.language == MY_LANGUAGES:
            language = f"{_('My languages')} ({', '.join(self.config.reader.languages)})"
        source = _("All sources")
        if self.source_filter is not None:
            source = next((s.name for s in self.sources if s.id == self.source_filter), source)
        if self.tag_filter is not None:
            source = f"# {self.tag_filter}"
        if self.view_label():
            source = f"{source} · {self.view_label()}"
        status = Text.assemble(
            (_("Language:") + " ", "dim"),
            (language, "bold"),
            ("  ·  ", "dim"),
            source,
            ("  ·  ", "dim"),
            ngettext("{count} article", "{count} articles", self._total).format(count=self._total),
        )
        if self.search_text:
            status.append("  ·  ", style="dim")
            status.append(_("Search: {text}").format(text=self.search_text), style="italic")
        if self._progress:
            status.append("  ·  ", style="dim")
            status.append(f"{self._progress_text()}…", style="bold")
        if self._translating:
            status.append("  ·  ", style="dim")
            status.append(self._translating_text(), style="bold")
        if self.link_status():
            status.append("  ·  ", style="dim")
            status.append(self.link_status(), style="bold reverse")
        self.query_one("#status", Static).update(status)

    def get_key_display(self, binding: Binding) -> str:
        """Footer keys: Textual's short symbols (⏎, ↑, ^p); keys named by a word translated."""
        return footer_key(binding)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's palette commands (Theme, Quit, Keys...) in the interface language."""
        return translated_commands(super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        """The command palette, its search box prompting in the interface language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            palette = CommandPalette(id="--command-palette", placeholder=_(COMMANDS_PLACEHOLDER))
            self.push_screen(palette)

    def search_themes(self) -> None:
        """The theme picker of the palette, prompting in the interface language."""
        self.push_screen(
            CommandPalette(providers=[ThemeProvider], placeholder=_(THEMES_PLACEHOLDER))
        )

    def set_interface_language(self, code: str) -> str:
        """Switch the interface language now: every visible string is relabelled in place."""
        used = set_ui_language(code)
        self._relabel()
        return used

    def _relabel(self) -> None:
        """Set every interface string of the main screen in the current interface language."""
        self.query_one("#sources").border_title = _("Sources")
        self.query_one("#headlines").border_title = _("Headlines")
        self.query_one("#article").border_title = _("Article")
        self.query_one(SearchInput).placeholder = _("Search titles and text")
        headlines = self.query_one(HeadlineList)
        if self._progress and not headlines.row_count:
            headlines.empty_message = f"{self._progress_text()}…"
        elif self._loaded:
            headlines.empty_message = self._empty_message()
        else:
            headlines.empty_message = _("Loading…")
        headlines.refresh()
        self.query_one(SourcesPane).relabel()
        self.query_one(ArticleView).relabel()
        self._mark_full_text()
        self._mark_machine_translation()
        self._update_status()
        relabel_footers(self)

    def _feeds_at_start(self) -> bool:
        """Refresh feeds at start when asked to, or when a feed has never been fetched."""
        feeds = [s for s in self.sources if s.kind is SourceKind.URL]
        if self._sync is not None:  # sync when asked to, or when it never ran
            server = [s for s in self.sources if s.kind is SourceKind.SERVER]
            if not server or self.config.network.refresh_on_start:
                return True
            feeds += server
        return bool(feeds) and (
            self.config.network.refresh_on_start or any(s.last_fetch is None for s in feeds)
        )

    @work(thread=True, group="names", exit_on_error=False)
    def _reload_source_names(self) -> None:
        """After a load: read the sources back (feeds name themselves, or move), then the view."""
        try:
            with self._store() as store:
                fresh = {s.id: s for s in store.sources(self._session_ids())}
                # A sync may have brought subscriptions or taken them away.
                server = library.server_sources(store, self.config) if self._sync else None
        except StoreError as exc:
            self.post_message(StoreFailed(str(exc)))
            return
        self.call_from_thread(self._apply_source_names, fresh, server)

    def _apply_source_names(
        self, fresh: dict[int | None, Source], server: list[Source] | None = None
    ) -> None:
        for source in self.sources:
            # The cache does not keep what only the config says: carry it over.
            if (stored := fresh.get(source.id)) is not None:
                stored.refresh_minutes, stored.hide = source.refresh_minutes, source.hide
                stored.full_text = source.full_text
        self.sources = [fresh.get(s.id, s) for s in self.sources]
        if server is not None:
            self.sources = [s for s in self.sources if s.kind is not SourceKind.SERVER] + server
        self.refresh_view()

    # Actions

    def action_refresh(self) -> None:
        """Reload changed files and refresh every feed, in the background."""
        if self._progress:
            self.notify(_("A refresh is already running."))
            return
        self._refresh_requested = True
        self._progress = ("refresh", 0, 0)
        self._update_status()
        self.load_files(self.sources, True)

    def action_languages(self) -> None:
        """Open the language switcher."""

        def chosen(code: str | None) -> None:
            if code is not None and code.startswith(UI_PREFIX):
                interface = code.removeprefix(UI_PREFIX)
                if interface != ui_language():
                    self.set_interface_language(interface)
                    self.save_setting(UI_LANGUAGE_SETTING, ui_language())
                return
            if code is None or code == self.language:
                return
            self.language = code
            self.save_setting(LANGUAGE_SETTING, code)
            self.refresh_view()

        self.push_screen(
            LanguageScreen(self.language_counts, self.language, self.config.reader.languages),
            chosen,
        )

    def action_search(self) -> None:
        """Show the search box and focus it."""
        search = self.query_one(SearchInput)
        search.display = True
        search.focus()

    def action_clear_search(self) -> None:
        """Clear and hide the search, showing every headline again."""
        search = self.query_one(SearchInput)
        if not search.display and not search.value and not self.search_text:
            raise SkipAction()
        search.value = ""
        search.display = False
        self.query_one(HeadlineList).focus()
        if self._set_search(""):
            self.refresh_view()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._run_search)

    def _run_search(self) -> None:
        if self._set_search(self.query_one(SearchInput).value.strip()):
            self.refresh_view()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        headlines = self.query_one(HeadlineList)
        headlines.focus()
        if self._set_search(event.value.strip()):
            self.refresh_view(first_match=True)
        if self._search_error is not None:
            self.notify(self._search_error, title=_("Search"), severity="warning")
        elif self._view_pending:
            self._jump_to_first_match = True
        elif headlines.row_count:
            headlines.cursor = 0

    def action_page(self) -> None:
        """Page the article; at its end, open the next headline."""
        article = self.query_one(ArticleView)
        headlines = self.query_one(HeadlineList)
        if article.article is None or article.article.id != headlines.current_id:
            if headlines.current_id is not None:
                self.open_article(headlines.current_id)
            return
        if article.page():
            return
        if headlines.cursor < headlines.row_count - 1:
            headlines.cursor += 1
            if headlines.current_id is not None:
                self.open_article(headlines.current_id)

    def action_translation(self) -> None:
        """Switch the open article to another language version of its story."""
        article = self.query_one(ArticleView).article
        if article is None or not article.translations:
            self.notify(_("This article has no other language versions."))
            return
        if len(article.translations) == 1:
            self._open_version(article.translations[0].id)
            return
        self.push_screen(VersionScreen(article.translations), self._open_version)

    def _open_version(self, article_id: int | None) -> None:
        if article_id is None:
            return
        self._version_switch = article_id
        self.query_one(HeadlineList).move_to(article_id)
        self.open_article(article_id)

    def action_machine_translate(self) -> None:
        """Machine-translate the open article into the first preferred language; again: the original."""
        view = self.query_one(ArticleView)
        article = view.article
        if article is None or article.id is None:
            self.notify(_("Open an article first."))
            return
        if self._machine is not None:
            result, original = self._machine
            self._machine = None
            if article is result.article:
                view.show(original, keep_position=True)
                return
        target = target_language(self.config, ui_language())
        if same_language(article.language, target):
            self.notify(
                _("This article is already in {language}.").format(
                    language=language_label(article.language)
                )
            )
            return
        self._translating = (article.id, 0, 0)
        self._update_status()
        self.machine_translate(article, target)

    def action_help(self) -> None:
        """Show every key."""
        keys = self.config.keys
        self.push_screen(
            HelpScreen(
                [
                    (_("Everywhere"), remap([*self.BINDINGS, *_FOCUS_BINDINGS], keys)),
                    (_("Headlines"), remap(HeadlineList.BINDINGS, keys)),
                    (_("Article"), remap(ArticleView.BINDINGS, keys)),
                    (_("Search"), remap(SearchInput.BINDINGS, keys)),
                ]
            )
        )


_FOCUS_BINDINGS = [
    Binding("tab", "focus_next", N_("Next pane")),
    Binding("shift+tab", "focus_previous", N_("Previous pane")),
    Binding("ctrl+p", "command_palette", N_("Command palette: every action, themes")),
]
