-- The archive's schema, version 21 (PRAGMA user_version); docs/schema.md explains it.
-- A fresh archive is created from this file; an older one is migrated by store.schema.MIGRATIONS.
-- Every column carries a "--" description: `scraper serve` shows them in Datasette.
-- Table descriptions are the "-- table:" lines.

-- table: One row per crawled site (a host).
CREATE TABLE IF NOT EXISTS sites (
    id INTEGER PRIMARY KEY,             -- site id
    name TEXT NOT NULL UNIQUE,          -- host of the base URL without www., e.g. 'sahara.ma'
    base_url TEXT NOT NULL,             -- where crawls of this site start
    profile TEXT,                       -- name of the site profile used (scraper/profiles/), if any
    timezone TEXT,                      -- IANA timezone or fixed offset ('+01:00') of the site's local dates, e.g. 'Africa/Casablanca'
    timezone_source TEXT,               -- how timezone was set: 'profile', 'setting' (--timezone) or 'learned' (from the site's own offset-bearing dates)
    hosts TEXT,                         -- JSON list of other hosts the site was found to live on (its start URL, home, sitemap or feed redirected there), e.g. '["news.sahara.ma"]'
    created_at TEXT NOT NULL            -- when the site was first crawled (UTC, ISO 8601)
);

-- table: One row per article, by canonical URL; the current version of its content.
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,             -- article id
    site_id INTEGER NOT NULL REFERENCES sites(id), -- the site it was found on
    url TEXT NOT NULL UNIQUE,           -- canonical URL
    language TEXT,                      -- language code of the article, e.g. 'ar', 'fr'
    title TEXT,                         -- headline
    subtitle TEXT,                      -- standfirst / sub-headline
    published_at TEXT,                  -- publication date, ISO 8601 with UTC offset when known
    modified_at TEXT,                   -- last update the publisher declared, ISO 8601
    date_source TEXT,                   -- where published_at came from: profile|rest|jsonld|meta|time|text|url, '+site-tz' appended when the site's zone gave it its offset
    date_raw TEXT,                      -- the text the date was read from
    body TEXT NOT NULL DEFAULT '',      -- body text, paragraphs separated by blank lines, boilerplate removed
    image TEXT,                         -- URL of the lead image
    word_count INTEGER NOT NULL DEFAULT 0, -- words in the body
    content_hash TEXT NOT NULL,         -- SHA-256 of title, subtitle, body, dates, categories, tags
    next_url TEXT,                      -- the site's "next article" link
    prev_url TEXT,                      -- the site's "previous article" link
    first_seen_at TEXT NOT NULL,        -- first fetch (UTC, ISO 8601)
    fetched_at TEXT NOT NULL,           -- last successful fetch (UTC, ISO 8601)
    changed_at TEXT NOT NULL,           -- last time the content (content_hash) changed
    revision INTEGER NOT NULL DEFAULT 1, -- version number of the current content; older ones are in revisions
    search_key INTEGER,                 -- rowid of the article in articles_fts: publication day * 2^32 + id
    published_utc TEXT,                 -- published_at in UTC (ISO 8601, +00:00); NULL when published_at has no offset
    changed_run INTEGER,                -- the crawl run (crawl_runs.id) that archived this content; NULL for a re-extraction or an older archive
    provenance TEXT,                    -- JSON object: field -> where its value came from (profile|rest|json-ld|microdata|meta|markup|heuristic|trafilatura-fallback|url); NULL before version 11
    quality REAL,                       -- the extraction's own estimate of how right the record is, 0-1 (below 0.6: worth a look); NULL before version 11
    credit TEXT,                        -- the news agency the story credits, normalized: 'MAP', 'AFP', 'AFP, Reuters'; NULL when none
    credit_raw TEXT                     -- the credit as printed: '(ومع: 25 نونبر 2025)', 'RABAT (AFP) -', a byline
);
CREATE INDEX IF NOT EXISTS articles_site_published ON articles(site_id, published_at);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_at);
CREATE INDEX IF NOT EXISTS articles_language ON articles(language, published_at);
CREATE UNIQUE INDEX IF NOT EXISTS articles_search_key ON articles(search_key);
-- Small and covering: search filters read site and language here, not from the big rows.
CREATE INDEX IF NOT EXISTS articles_facets ON articles(id, site_id, language);
CREATE INDEX IF NOT EXISTS articles_quality ON articles(quality);

-- table: People credited as authors.
CREATE TABLE IF NOT EXISTS authors (
    id INTEGER PRIMARY KEY,             -- author id
    name TEXT NOT NULL UNIQUE           -- name as printed by the site
);
-- table: Which authors wrote which article, in byline order.
CREATE TABLE IF NOT EXISTS article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, -- the article
    author_id INTEGER NOT NULL REFERENCES authors(id), -- the author
    position INTEGER NOT NULL,          -- 0 for the first name in the byline
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX IF NOT EXISTS article_authors_author ON article_authors(author_id);

-- table: Sections (categories) of a site, as the site names them.
CREATE TABLE IF NOT EXISTS categories (
    id INTEGER PRIMARY KEY,             -- category id
    site_id INTEGER NOT NULL REFERENCES sites(id), -- the site
    name TEXT NOT NULL,                 -- category label, e.g. 'اقتصاد'
    UNIQUE (site_id, name)
);
-- table: Which categories an article is filed under; position 0 is its main section.
CREATE TABLE IF NOT EXISTS article_categories (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, -- the article
    category_id INTEGER NOT NULL REFERENCES categories(id), -- the category
    position INTEGER NOT NULL,          -- order on the page; 0 = main section
    PRIMARY KEY (article_id, category_id)
);
CREATE INDEX IF NOT EXISTS article_categories_category ON article_categories(category_id, article_id);

-- table: Tags (keywords) of a site.
CREATE TABLE IF NOT EXISTS tags (
    id INTEGER PRIMARY KEY,             -- tag id
    site_id INTEGER NOT NULL REFERENCES sites(id), -- the site
    name TEXT NOT NULL,                 -- tag label
    UNIQUE (site_id, name)
);
-- table: Which tags an article carries.
CREATE TABLE IF NOT EXISTS article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, -- the article
    tag_id INTEGER NOT NULL REFERENCES tags(id), -- the tag
    position INTEGER NOT NULL,          -- order on the page
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX IF NOT EXISTS article_tags_tag ON article_tags(tag_id, article_id);

-- table: Links an article points to: related stories, next/previous, other editions.
CREATE TABLE IF NOT EXISTS links (
    id INTEGER PRIMARY KEY,             -- link id
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, -- the article the link is on
    kind TEXT NOT NULL,                 -- related|inline_related|next|prev|translation
    url TEXT NOT NULL,                  -- target URL (canonical)
    title TEXT,                         -- anchor text; for kind 'translation', the language code
    position INTEGER NOT NULL           -- order in the article
);
CREATE INDEX IF NOT EXISTS links_article ON links(article_id);
CREATE INDEX IF NOT EXISTS links_url ON links(url);

-- table: Earlier versions of articles whose content changed (current version in articles).
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY,             -- revision row id
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE, -- the article
    revision INTEGER NOT NULL,          -- version number (1 = first version seen)
    fetched_at TEXT NOT NULL,           -- last fetch that saw this version
    replaced_at TEXT NOT NULL,          -- when a newer version replaced it
    title TEXT,                         -- title of this version
    subtitle TEXT,                      -- subtitle of this version
    published_at TEXT,                  -- publication date of this version
    modified_at TEXT,                   -- modification date of this version
    categories TEXT,                    -- JSON list of category names
    tags TEXT,                          -- JSON list of tag names
    body TEXT,                          -- body text of this version
    content_hash TEXT NOT NULL,         -- content_hash of this version
    UNIQUE (article_id, revision)
);

-- table: Raw fetched pages (compressed) with their HTTP validators, for re-extraction.
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,               -- canonical URL of the fetched page
    site_id INTEGER NOT NULL REFERENCES sites(id), -- the site
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL, -- the article extracted from it (NULL for listings, feeds...)
    final_url TEXT,                     -- URL after redirects
    status INTEGER NOT NULL,            -- HTTP status
    content_type TEXT,                  -- Content-Type header
    encoding TEXT,                      -- character encoding the page was decoded with
    etag TEXT,                          -- ETag header, for conditional GET
    last_modified TEXT,                 -- Last-Modified header, for conditional GET
    fetched_at TEXT NOT NULL,           -- when it was fetched (UTC, ISO 8601)
    size INTEGER NOT NULL,              -- bytes before compression
    html BLOB,                          -- zlib-compressed raw body: zlib.decompress(html); NULL when in a WARC file
    warc_file TEXT,                     -- WARC file holding the raw page (backfill), when html is NULL
    warc_offset INTEGER,                -- byte offset of the record in warc_file
    warc_length INTEGER                 -- byte length of the record in warc_file (compressed)
);
CREATE INDEX IF NOT EXISTS pages_article ON pages(article_id);
CREATE INDEX IF NOT EXISTS pages_site ON pages(site_id);

-- table: The crawl queue: every URL seen, and what became of it.
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY,               -- canonical URL
    site_id INTEGER NOT NULL REFERENCES sites(id), -- the site
    kind TEXT NOT NULL,                 -- home|section|listing|article|sitemap|feed|rest|link
    state TEXT NOT NULL DEFAULT 'pending', -- pending|active|done|failed|skipped|parked
    priority INTEGER NOT NULL DEFAULT 0,-- lower runs first
    depth INTEGER NOT NULL DEFAULT 0,   -- listing page number, link hops
    found_on TEXT,                      -- page the URL was found on
    attempts INTEGER NOT NULL DEFAULT 0,-- fetch attempts so far
    last_error TEXT,                    -- why the last attempt failed or was skipped
    lastmod TEXT,                       -- from a sitemap/feed/REST, when known
    added_at TEXT NOT NULL,             -- when first queued
    updated_at TEXT NOT NULL,           -- last state change
    listed_published TEXT,              -- publication date the WordPress REST API gave (ISO 8601, site offset); wins over extraction
    listed_modified TEXT,               -- last modification the WordPress REST API gave (ISO 8601, site offset)
    listed_raw TEXT,                    -- the REST date/date_gmt values as given (JSON), the article's date_raw
    listed_source TEXT                  -- where the listed dates come from: 'rest' (NULL: none)
);
CREATE INDEX IF NOT EXISTS frontier_queue ON frontier(site_id, state, priority, depth);

-- table: One row per run that wrote the archive (crawl, backfill, import, reextract), with its counters and outcome.
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY,             -- run id
    site_id INTEGER REFERENCES sites(id), -- the site crawled; NULL for a backfill, import or reextract over several sites
    started_at TEXT NOT NULL,           -- start (UTC, ISO 8601)
    finished_at TEXT,                   -- end; NULL while running or after a hard kill
    status TEXT NOT NULL DEFAULT 'running', -- running|ok|partial|failed|interrupted|blocked
    options TEXT,                       -- JSON of the crawl options
    pages_fetched INTEGER NOT NULL DEFAULT 0, -- pages downloaded
    not_modified INTEGER NOT NULL DEFAULT 0, -- conditional GETs answered 304
    articles_new INTEGER NOT NULL DEFAULT 0, -- articles archived for the first time
    articles_updated INTEGER NOT NULL DEFAULT 0, -- articles whose content changed
    articles_unchanged INTEGER NOT NULL DEFAULT 0, -- articles re-fetched without change
    errors INTEGER NOT NULL DEFAULT 0,  -- pages that failed
    message TEXT,                       -- why the run stopped, when not ok
    skipped INTEGER NOT NULL DEFAULT 0, -- pages not fetched by choice (robots.txt, out of scope)
    kind TEXT NOT NULL DEFAULT 'crawl', -- crawl|backfill|import|reextract; for the others pages_fetched counts records or pages read
    collection_run INTEGER REFERENCES collection_runs(id) -- the collection run this site's run was part of; NULL for a crawl of one site
);
CREATE INDEX IF NOT EXISTS crawl_runs_site ON crawl_runs(site_id);

-- table: One row per collection run (scraper crawl SITE SITE..., --sites FILE): several sites in one run; each site's own run is a crawl_runs row pointing here.
CREATE TABLE IF NOT EXISTS collection_runs (
    id INTEGER PRIMARY KEY,             -- collection run id
    started_at TEXT NOT NULL,           -- start (UTC, ISO 8601)
    finished_at TEXT,                   -- end; NULL while running or after a hard kill
    status TEXT NOT NULL DEFAULT 'running', -- running, or the worst status of its sites' runs
    sites TEXT NOT NULL,                -- JSON list of the site names, in the order given
    options TEXT,                       -- JSON of the run's shared crawl options
    pages_fetched INTEGER NOT NULL DEFAULT 0, -- pages downloaded, all sites
    articles_new INTEGER NOT NULL DEFAULT 0, -- articles archived for the first time, all sites
    articles_updated INTEGER NOT NULL DEFAULT 0, -- articles whose content changed, all sites
    errors INTEGER NOT NULL DEFAULT 0,  -- pages that failed, all sites
    message TEXT                        -- one line per site that did not end ok
);

-- table: Full-text index (FTS5) of titles and bodies; rowid = articles.search_key. Written by the scraper only.
-- Each word is stored folded and light-stemmed (scraper.search.index_columns), then each two
-- adjacent ones as one pair term, which phrases are looked up by; query it with
-- MATCH scraper_match('...') so the query goes through the same steps.
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title,                              -- title, folded and stemmed; then its word pairs
    body,                               -- subtitle and body, folded and stemmed; then pairs
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Deleting an article (from any SQL client) removes it from the search index.
CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM articles_fts WHERE rowid = old.search_key;
END;

-- table: Impact lists of the search index: for each word, the articles where bm25 ranks it near its ceiling (scraper.ranking), so the best matches of a one-word search are found without scoring every match. Written by the scraper only.
CREATE TABLE IF NOT EXISTS search_impacts (
    term TEXT NOT NULL,                 -- an index term of articles_fts (a folded, stemmed word)
    impact REAL NOT NULL,               -- bm25's factor for the term in the article at the reference length (scraper.ranking.REFERENCE_AVGDL), at least scraper.ranking.IMPACT_FLOOR
    key INTEGER NOT NULL,               -- the article's rowid in articles_fts (articles.search_key)
    weight INTEGER NOT NULL,            -- the term's count in the article, a title hit counting 5
    length INTEGER NOT NULL,            -- the article's length in index terms (word pairs included), as FTS5 counts it
    PRIMARY KEY (term, impact, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS search_impacts_key ON search_impacts(key);

-- Deleting an article (from any SQL client) removes it from the impact lists.
CREATE TRIGGER IF NOT EXISTS search_impacts_delete AFTER DELETE ON articles BEGIN
    DELETE FROM search_impacts WHERE key = old.search_key;
END;

-- table: Full-text index (FTS5) of titles, subtitles and bodies as written, for other tools (sqlite-utils search, Datasette's search box); rowid = articles.id. Kept in step by triggers.
-- An external-content index (content="articles", which sqlite-utils and Datasette look for):
-- it keeps word lists only and reads the text from articles. A raw MATCH runs on it (case and
-- Latin accents ignored; no Arabic folding or clitics: that is articles_fts's).
CREATE VIRTUAL TABLE IF NOT EXISTS articles_text USING fts5(
    title,                              -- articles.title, as written
    subtitle,                           -- articles.subtitle
    body,                               -- articles.body
    content="articles",
    content_rowid="id",
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Any write to articles, from scraper or any SQL client, keeps articles_text in step (a
-- REPLACE needs PRAGMA recursive_triggers = ON, which scraper and sqlite-utils set).
CREATE TRIGGER IF NOT EXISTS articles_text_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_text (rowid, title, subtitle, body)
    VALUES (new.id, new.title, new.subtitle, new.body);
END;
CREATE TRIGGER IF NOT EXISTS articles_text_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_text (articles_text, rowid, title, subtitle, body)
    VALUES ('delete', old.id, old.title, old.subtitle, old.body);
END;
-- Only a change of the text re-indexes it (a crawl's re-fetch updates fetched_at alone).
CREATE TRIGGER IF NOT EXISTS articles_text_update AFTER UPDATE OF id, title, subtitle, body
ON articles WHEN old.id IS NOT new.id OR old.title IS NOT new.title
    OR old.subtitle IS NOT new.subtitle OR old.body IS NOT new.body BEGIN
    INSERT INTO articles_text (articles_text, rowid, title, subtitle, body)
    VALUES ('delete', old.id, old.title, old.subtitle, old.body);
    INSERT INTO articles_text (rowid, title, subtitle, body)
    VALUES (new.id, new.title, new.subtitle, new.body);
END;

-- table: One row per article with its site, main section, tags, authors and categories (JSON lists): for browsing.
CREATE VIEW IF NOT EXISTS article_list AS
SELECT
    a.id,
    a.published_at,
    a.title,
    (SELECT c.name FROM article_categories x JOIN categories c ON c.id = x.category_id
      WHERE x.article_id = a.id ORDER BY x.position LIMIT 1) AS section,
    (SELECT json_group_array(name) FROM (SELECT t.name FROM article_tags x
      JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id ORDER BY x.position)) AS tags,
    (SELECT json_group_array(name) FROM (SELECT au.name FROM article_authors x
      JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id ORDER BY x.position))
      AS authors,
    s.name AS site,
    a.language,
    substr(a.published_at, 1, 7) AS month,
    (SELECT json_group_array(name) FROM (SELECT c.name FROM article_categories x
      JOIN categories c ON c.id = x.category_id WHERE x.article_id = a.id ORDER BY x.position))
      AS categories,
    a.subtitle,
    a.word_count,
    a.revision,
    a.url,
    a.search_key
FROM articles a JOIN sites s ON s.id = a.site_id;

-- table: What `scraper backfill` has read of each WARC file, committed with the articles it stored.
CREATE TABLE IF NOT EXISTS warc_progress (
    file TEXT NOT NULL,                 -- absolute path of the WARC file
    selection TEXT NOT NULL DEFAULT '', -- the backfill's selection (hosts, profile, dates) as JSON; '' for all
    next_offset INTEGER NOT NULL,       -- records starting before this byte offset are done
    state TEXT NOT NULL,                -- running|done
    records INTEGER NOT NULL DEFAULT 0, -- records read so far
    stored INTEGER NOT NULL DEFAULT 0,  -- articles stored (new or updated) so far
    updated_at TEXT NOT NULL,           -- last progress (UTC, ISO 8601)
    PRIMARY KEY (file, selection)
);

-- table: What each site declares it has (the audit's inventory): every URL a sitemap, feed, REST page or listing gave, once per section.
CREATE TABLE IF NOT EXISTS inventory (
    url TEXT NOT NULL,                  -- canonical URL the site lists
    site_id INTEGER NOT NULL REFERENCES sites(id), -- the site
    section TEXT NOT NULL DEFAULT '',   -- section whose listing gave it (its heading); '' for sitemaps, feeds, REST
    source TEXT NOT NULL,               -- sitemap|feed|rest|listing|warc: the first declaration seen (warc: a backfilled record that failed)
    declared_on TEXT,                   -- the sitemap, feed, REST or listing page that gave it first
    published TEXT,                     -- publication date the declaration gives (ISO 8601), when it gives one
    lastmod TEXT,                       -- newest last modification declared (UTC, ISO 8601)
    first_seen TEXT NOT NULL,           -- first crawl that saw it declared (UTC, ISO 8601)
    last_seen TEXT NOT NULL,            -- last crawl that saw it declared (UTC, ISO 8601)
    PRIMARY KEY (url, section)
);
CREATE INDEX IF NOT EXISTS inventory_site ON inventory(site_id, section);

-- table: Totals a site announces (the WordPress REST API's X-WP-Total), to check the inventory against.
CREATE TABLE IF NOT EXISTS declared_totals (
    site_id INTEGER NOT NULL REFERENCES sites(id), -- the site
    section TEXT NOT NULL DEFAULT '',   -- '' for the whole site
    source TEXT NOT NULL,               -- rest
    total INTEGER NOT NULL,             -- how many posts the site says it has
    url TEXT,                           -- the page that said so
    seen_at TEXT NOT NULL,              -- when (UTC, ISO 8601)
    PRIMARY KEY (site_id, section, source)
);

-- table: Which story (cluster of copies of one text, and its language editions) each article belongs to.
CREATE TABLE IF NOT EXISTS story_members (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, -- the article
    story_id INTEGER NOT NULL,          -- the story: the id of the article that founded the cluster (the smallest one after a merge)
    kind TEXT NOT NULL,                 -- first (the earliest member)|verbatim|rewrite|excerpt|edition|single (no copy known)
    similarity REAL,                    -- Jaccard similarity of its word shingles with the story's earliest member; NULL for editions and singles
    containment REAL,                   -- share of the shorter text's shingles found in the other (earliest member)
    day INTEGER NOT NULL,               -- publication day (days since 1970-01-01; first fetch when undated): its keys' day
    sketch BLOB                         -- its sampled shingle hashes (8-byte integers), the keys it has in story_keys; NULL when too short
);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id);

-- table: The candidate index of story clustering: sampled shingle hashes (a MOD-m sketch) by week, then key. Written by the scraper only.
CREATE TABLE IF NOT EXISTS story_keys (
    week INTEGER NOT NULL,              -- the article's publication week (day // 7, floored): an article touches the index pages of the weeks around its date only
    key INTEGER NOT NULL,               -- a 64-bit hash of three folded, stemmed words (one shingle in eight is kept)
    day INTEGER NOT NULL,               -- the article's publication day (days since 1970-01-01)
    article_id INTEGER NOT NULL,        -- the article
    PRIMARY KEY (week, key, day, article_id)
) WITHOUT ROWID;
