-- The archive's schema. Version in PRAGMA user_version; see docs/schema.md.
CREATE TABLE IF NOT EXISTS sites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,          -- host of the base URL, e.g. 'sahara.ma'
    base_url TEXT NOT NULL,
    profile TEXT,                       -- site profile used, if any
    timezone TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    url TEXT NOT NULL UNIQUE,           -- canonical URL
    language TEXT,
    title TEXT,
    subtitle TEXT,
    published_at TEXT,                  -- ISO 8601 with offset when known
    modified_at TEXT,
    date_source TEXT,                   -- profile|rest|jsonld|meta|time|text|url
    date_raw TEXT,                      -- the text the date was read from
    body TEXT NOT NULL DEFAULT '',
    image TEXT,
    word_count INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    next_url TEXT,
    prev_url TEXT,
    first_seen_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,           -- last successful fetch
    changed_at TEXT NOT NULL,           -- last time the content changed
    revision INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS articles_site_published ON articles(site_id, published_at);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_at);
CREATE INDEX IF NOT EXISTS articles_language ON articles(language);

CREATE TABLE IF NOT EXISTS authors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);

CREATE TABLE IF NOT EXISTS categories (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    UNIQUE (site_id, name)
);
CREATE TABLE IF NOT EXISTS article_categories (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, category_id)
);
CREATE INDEX IF NOT EXISTS article_categories_category ON article_categories(category_id);

CREATE TABLE IF NOT EXISTS tags (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    UNIQUE (site_id, name)
);
CREATE TABLE IF NOT EXISTS article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX IF NOT EXISTS article_tags_tag ON article_tags(tag_id);

CREATE TABLE IF NOT EXISTS links (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                 -- related|inline_related|next|prev|translation
    url TEXT NOT NULL,
    title TEXT,
    position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS links_article ON links(article_id);
CREATE INDEX IF NOT EXISTS links_url ON links(url);

CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,           -- when this (older) version was fetched
    replaced_at TEXT NOT NULL,          -- when a newer version replaced it
    title TEXT,
    subtitle TEXT,
    published_at TEXT,
    modified_at TEXT,
    categories TEXT,                    -- JSON list
    tags TEXT,                          -- JSON list
    body TEXT,
    content_hash TEXT NOT NULL,
    UNIQUE (article_id, revision)
);

CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,               -- canonical URL of the fetched page
    site_id INTEGER NOT NULL REFERENCES sites(id),
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    final_url TEXT,
    status INTEGER NOT NULL,
    content_type TEXT,
    encoding TEXT,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT NOT NULL,
    size INTEGER NOT NULL,              -- bytes before compression
    html BLOB                           -- zlib-compressed raw body
);
CREATE INDEX IF NOT EXISTS pages_article ON pages(article_id);

CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY,               -- canonical URL
    site_id INTEGER NOT NULL REFERENCES sites(id),
    kind TEXT NOT NULL,                 -- home|section|listing|article|sitemap|feed
    state TEXT NOT NULL DEFAULT 'pending', -- pending|active|done|failed|skipped
    priority INTEGER NOT NULL DEFAULT 0,-- lower runs first
    depth INTEGER NOT NULL DEFAULT 0,   -- listing page number, link hops
    found_on TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    lastmod TEXT,                       -- from a sitemap/feed/REST, when known
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS frontier_queue ON frontier(site_id, state, priority, depth);

CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running', -- running|ok|partial|failed|interrupted|blocked
    options TEXT,                       -- JSON
    pages_fetched INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    articles_new INTEGER NOT NULL DEFAULT 0,
    articles_updated INTEGER NOT NULL DEFAULT 0,
    articles_unchanged INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    message TEXT
);

-- Full-text index over folded (normalized) title and body; rowid = articles.id.
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, body, tokenize = 'unicode61 remove_diacritics 2'
);
