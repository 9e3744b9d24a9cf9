-- 0001: documents, their tags and places (search indexes), the feedback log, tokens, rate counters.
CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    text            TEXT NOT NULL,
    text_hash       TEXT NOT NULL,
    lang_hint       TEXT,
    lang            TEXT,
    lang_score      DOUBLE PRECISION,
    models          TEXT NOT NULL,
    models_key      TEXT NOT NULL,
    topics_version  TEXT,
    model_tags      TEXT NOT NULL,
    model_places    TEXT NOT NULL,
    counts          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    decisions       TEXT NOT NULL DEFAULT '{}',
    place_decisions TEXT NOT NULL DEFAULT '{"removed": [], "added": []}',
    tags            TEXT NOT NULL,
    places          TEXT NOT NULL,
    search_text     TEXT NOT NULL,
    feedback_count  INTEGER NOT NULL DEFAULT 0,
    revision        INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    analysed_at     TEXT NOT NULL
);
CREATE INDEX documents_updated ON documents (updated_at, id);
CREATE INDEX documents_lang ON documents (lang);

CREATE TABLE document_tags (
    document_id   TEXT NOT NULL REFERENCES documents (id),
    tag_id        TEXT NOT NULL,
    label         TEXT NOT NULL,
    score         DOUBLE PRECISION,
    model_version TEXT,
    source        TEXT NOT NULL,
    PRIMARY KEY (document_id, tag_id)
);
CREATE INDEX document_tags_tag ON document_tags (tag_id);

CREATE TABLE document_places (
    document_id TEXT NOT NULL REFERENCES documents (id),
    place_key   TEXT NOT NULL,
    geonameid   BIGINT,
    name        TEXT NOT NULL,
    name_fold   TEXT NOT NULL,
    country     TEXT,
    mentions    INTEGER NOT NULL,
    PRIMARY KEY (document_id, place_key)
);
CREATE INDEX document_places_geonameid ON document_places (geonameid);
CREATE INDEX document_places_name ON document_places (name_fold);

CREATE TABLE feedback (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        TEXT NOT NULL UNIQUE,
    token_id        TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    document_id     TEXT NOT NULL REFERENCES documents (id),
    editor          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    model_version   TEXT,
    models          TEXT NOT NULL,
    text_hash       TEXT NOT NULL,
    accepted        TEXT NOT NULL,
    rejected        TEXT NOT NULL,
    added           TEXT NOT NULL,
    places          TEXT NOT NULL,
    note            TEXT,
    before          TEXT NOT NULL,
    after           TEXT NOT NULL,
    UNIQUE (token_id, idempotency_key)
);
CREATE INDEX feedback_document ON feedback (document_id, seq);

CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX tokens_name ON tokens (name);

CREATE TABLE rate_counts (
    token_id TEXT NOT NULL,
    minute   BIGINT NOT NULL,
    hits     INTEGER NOT NULL,
    PRIMARY KEY (token_id, minute)
);
CREATE FUNCTION feedback_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the feedback log is append-only';
END;
$$;
CREATE TRIGGER feedback_no_change BEFORE UPDATE OR DELETE ON feedback
    FOR EACH ROW EXECUTE FUNCTION feedback_append_only();
