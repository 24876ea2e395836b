"""The cache schema and its forward migrations, versioned with `PRAGMA user_version`.

Each migration takes the database from version N-1 to N. A cache written by a newer tuinews (a higher
version than we know) is refused rather than guessed at.
"""

from __future__ import annotations

UNSPACED_GLOB = "*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]*"
"""Text with characters of scripts written without spaces (kana, CJK, Hangul, Thai)."""

MIGRATIONS: tuple[str, ...] = (
    # 1: sources, articles, alternates (hreflang), stories, settings.
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        name TEXT NOT NULL,
        language TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        etag TEXT,
        last_modified TEXT,
        last_fetch REAL,
        last_error TEXT
    );
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        link TEXT,
        title TEXT NOT NULL,
        author TEXT,
        published REAL,
        sort_date REAL NOT NULL,
        language TEXT NOT NULL DEFAULT 'und',
        lang_origin TEXT NOT NULL DEFAULT 'unknown',
        blocks TEXT NOT NULL,
        search_text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        fetched_at REAL NOT NULL,
        stamp TEXT,
        story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL,
        UNIQUE (source_id, guid)
    );
    CREATE INDEX articles_by_date ON articles (sort_date DESC, id DESC);
    CREATE INDEX articles_by_source ON articles (source_id, sort_date DESC);
    CREATE INDEX articles_by_language ON articles (language);
    CREATE INDEX articles_by_story ON articles (story_id);
    CREATE INDEX articles_unread ON articles (read, sort_date DESC);
    CREATE TABLE alternates (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        language TEXT NOT NULL,
        url TEXT NOT NULL,
        PRIMARY KEY (article_id, url)
    );
    CREATE INDEX alternates_by_url ON alternates (url);
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: feeds: when a server asked us to come back (Retry-After), and the feed's own title.
    """
    ALTER TABLE sources ADD COLUMN retry_until REAL;
    ALTER TABLE sources ADD COLUMN feed_title TEXT;
    """,
    # 3: grouping translations into stories looks articles up by their link.
    """
    CREATE INDEX articles_by_link ON articles (link);
    """,
    # 4: covering indexes for the counts the panes show (per source and read; per language).
    """
    DROP INDEX articles_by_language;
    CREATE INDEX articles_by_language ON articles (language, source_id);
    CREATE INDEX articles_by_source_read ON articles (source_id, read);
    """,
    # 5: machine translations (`T`), one per article and target language, valid for one content hash.
    """
    CREATE TABLE machine_translations (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        language TEXT NOT NULL,
        backend TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT NOT NULL,
        blocks TEXT NOT NULL,
        created REAL NOT NULL,
        PRIMARY KEY (article_id, language)
    );
    """,
    # 6: retention: uids of pruned articles, so a feed that still lists them does not bring them back.
    """
    CREATE TABLE pruned (
        uid TEXT PRIMARY KEY,
        at REAL NOT NULL
    );
    """,
    # 7: full-text search (issue 6): words with diacritics folded, and trigrams for scripts without
    # spaces (Chinese, Japanese, Korean, Thai). Both index `search_text` (casefolded title and
    # paragraphs) of `articles` without a copy of it, kept in step by triggers. Only articles with
    # such characters get trigrams: a trigram index of all text costs more than the rest of a write.
    f"""
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        search_text, content = 'articles', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE articles_trigram USING fts5(
        search_text, content = 'articles', content_rowid = 'id', tokenize = 'trigram'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, search_text) VALUES (new.id, new.search_text);
        INSERT INTO articles_trigram (rowid, search_text)
            SELECT new.id, new.search_text WHERE new.search_text GLOB '{UNSPACED_GLOB}';
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        INSERT INTO articles_trigram (articles_trigram, rowid, search_text)
            SELECT 'delete', old.id, old.search_text
            WHERE old.search_text GLOB '{UNSPACED_GLOB}';
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF id, search_text ON articles
    WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, search_text)
            VALUES ('delete', old.id, old.search_text);
        INSERT INTO articles_trigram (articles_trigram, rowid, search_text)
            SELECT 'delete', old.id, old.search_text
            WHERE old.search_text GLOB '{UNSPACED_GLOB}';
        INSERT INTO articles_fts (rowid, search_text) VALUES (new.id, new.search_text);
        INSERT INTO articles_trigram (rowid, search_text)
            SELECT new.id, new.search_text WHERE new.search_text GLOB '{UNSPACED_GLOB}';
    END;
    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
    INSERT INTO articles_trigram (rowid, search_text)
        SELECT id, search_text FROM articles WHERE search_text GLOB '{UNSPACED_GLOB}';
    """,
    # Full articles (`f`, `full_text = true`): the web page's article as blocks, read offline later.
    """
    CREATE TABLE full_texts (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        blocks TEXT NOT NULL,
        fetched REAL NOT NULL,
        extractor TEXT NOT NULL
    );
    """,
    # 9: sync with a feed server (issue 7), per account ("URL#user"): where the last sync left off
    # (and the login token the server gave, so the password is needed again only when it expires),
    # the server's subscriptions behind `server` sources, which server item each article is, and the
    # queue of local changes (read, starred, subscribe, unsubscribe) not yet sent, in order.
    # `sync_items` outlives its article (retention), so a pruned item is never downloaded again.
    """
    CREATE TABLE sync_accounts (
        account TEXT PRIMARY KEY,
        last_sync REAL,
        since REAL,
        last_error TEXT,
        auth TEXT
    );
    CREATE TABLE sync_feeds (
        source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
        account TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        feed_url TEXT,
        html_url TEXT,
        unread INTEGER,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE sync_items (
        account TEXT NOT NULL,
        item INTEGER NOT NULL,
        uid TEXT NOT NULL,
        PRIMARY KEY (account, item)
    ) WITHOUT ROWID;
    CREATE INDEX sync_items_by_uid ON sync_items (uid);
    CREATE TABLE sync_queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        action TEXT NOT NULL,
        item INTEGER,
        target TEXT,
        value INTEGER,
        at REAL NOT NULL
    );
    """,
    # 10: which source a removed article came from, so a feed's removals it no longer lists are
    # forgotten (older rows have none and only expire with time).
    """
    ALTER TABLE pruned ADD COLUMN source_id INTEGER;
    CREATE INDEX pruned_by_source ON pruned (source_id);
    """,
    # 11: new articles are added to both search indexes by the store (`store.bulk.index_new`), one
    # statement per batch, in the transaction that adds them: the trigger ran two statements and a
    # GLOB per article, and indexed a quarter slower. Updates and deletes keep their triggers.
    # Whatever inserts into `articles` must now index what it inserts.
    """
    DROP TRIGGER articles_fts_insert;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
