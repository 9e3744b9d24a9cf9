"""The store layer on a real SQLite file and a real PostgreSQL server (same tests, both backends).

These tests call the store directly with analysis results shaped like the pipeline's, so they
test storage, derivation of the effective tags, the feedback log and the feed, not the models.
"""
from __future__ import annotations

import pytest

from service.store import Feedback, Filters, InputError, NotFound, Store, decode_cursor
from tests.postgres import database_url  # noqa: F401  (the parametrised fixture)

ALMATY = {"name": "Almaty", "type": "city", "country": "KZ", "geonameid": 1526384, "lat": 43.25,
          "lon": 76.91, "mentions": 2, "spans": [[0, 6]], "surface": ["Алматы"]}
ASTANA = {"name": "Astana", "type": "city", "country": "KZ", "geonameid": 1526273, "lat": 51.18,
          "lon": 71.45, "mentions": 1, "spans": [[10, 16]], "surface": ["Астана"]}


def result(lang: str, tags: list[tuple[str, float]], places: list[dict]) -> dict:
    """An analysis result in the shape the pipeline returns."""
    return {"language": {"code": lang, "score": 0.97, "parts": []},
            "topics": [{"label": t, "id": f"topic:{t}", "score": s, "evidence": []}
                       for t, s in tags],
            "places": places, "counts": [{"value": 314, "qualifier": None, "what": "people",
                                          "text": "314 человек", "span": [0, 11]}],
            "summary": ["Первое предложение."]}


MODELS = {"language": "l1", "topics": "t1", "places": "p1", "counts": "c1", "summary": "s1"}


@pytest.fixture()
def store(database_url):  # noqa: F811
    s = Store(database_url)
    yield s
    s.close()


def put(store: Store, doc_id: str, text: str, tags, places=(), lang="ru", models=MODELS, title=""):
    return store.put_document(doc_id, title=title, text=text, lang_hint=None,
                              result=result(lang, list(tags), list(places)), models=dict(models))


def test_migrations_are_versioned_and_run_once(database_url):  # noqa: F811
    first = Store(database_url)
    version = first.db.schema_version()
    assert version == max(v for v, _, _ in first.db.migrations())
    second = Store(database_url)  # a second start applies nothing
    assert second.db.migrate() == []
    assert second.db.schema_version() == version
    first.close()
    second.close()


def test_put_is_a_no_op_for_the_same_text_and_models(store):
    status, rec = put(store, "d1", "Встреча в Алматы о диалоге религий.", [("interfaith_dialogue", 0.9)],
                      [ALMATY])
    assert status == "created" and rec["revision"] == 1
    assert rec["tags"][0]["id"] == "topic:interfaith_dialogue"
    assert rec["tags"][0]["model_version"] == "t1"
    assert rec["places"][0]["geonameid"] == 1526384
    again_status, again = put(store, "d1", "Встреча в Алматы о диалоге религий.",
                              [("interfaith_dialogue", 0.9)], [ALMATY])
    assert again_status == "unchanged"
    assert again["updated_at"] == rec["updated_at"] and again["revision"] == 1
    new_models = {**MODELS, "topics": "t2"}
    status, rec2 = put(store, "d1", "Встреча в Алматы о диалоге религий.",
                       [("interfaith_dialogue", 0.8)], [ALMATY], models=new_models)
    assert status == "updated" and rec2["revision"] == 2
    assert rec2["analysed_with"]["topics"] == "t2"
    assert rec2["created_at"] == rec["created_at"]


def test_feedback_changes_the_effective_tags_and_keeps_the_model_tags(store):
    put(store, "d1", "Текст о репатриации из Сирии.", [("extremism", 0.7)], [ALMATY])
    event, replayed, _ = store.add_feedback(
        "d1", Feedback(editor="aigul", rejected=["topic:extremism"], added=["topic:repatriation"],
                       labels={"topic:repatriation": "repatriation"},
                       places={"removed": ["g:1526384"], "added": [{"name": "Astana",
                                                                     "geonameid": 1526273}]},
                       note="Это о возвращении женщин"), token_id="tok", idempotency_key="k1")
    assert not replayed
    assert event["before"] == {"tags": ["topic:extremism"], "places": ["g:1526384"]}
    assert event["after"] == {"tags": ["topic:repatriation"], "places": ["g:1526273"]}
    assert event["model_version"] == "t1" and event["editor"] == "aigul"
    rec = store.get_document("d1")
    assert [t["id"] for t in rec["tags"]] == ["topic:repatriation"]
    assert rec["tags"][0]["source"] == "editor" and rec["tags"][0]["label"] == "repatriation"
    assert rec["rejected_tags"] == ["topic:extremism"]
    assert [t["id"] for t in rec["model_tags"]] == ["topic:extremism"]  # the model's word is kept
    assert [p["geonameid"] for p in rec["places"]] == [1526273]
    assert rec["feedback_count"] == 1
    # a later decision replaces an earlier one
    store.add_feedback("d1", Feedback(editor="bolat", accepted=["topic:extremism"]), token_id="tok",
                       idempotency_key="k2")
    rec = store.get_document("d1")
    assert sorted(t["id"] for t in rec["tags"]) == ["topic:extremism", "topic:repatriation"]
    assert {t["id"]: t["status"] for t in rec["tags"]}["topic:extremism"] == "accepted"
    assert store.check_consistency() == []


def test_a_retried_feedback_is_recorded_once(store):
    put(store, "d1", "Текст.", [("extremism", 0.7)])
    fb = Feedback(editor="aigul", rejected=["topic:extremism"])
    first, replayed1, _ = store.add_feedback("d1", fb, token_id="tok", idempotency_key="same")
    second, replayed2, _ = store.add_feedback("d1", fb, token_id="tok", idempotency_key="same")
    assert (replayed1, replayed2) == (False, True)
    assert first["event_id"] == second["event_id"]
    assert len(store.feedback_log("d1")) == 1
    with pytest.raises(InputError) as err:  # the same key for a different request
        store.add_feedback("d1", Feedback(editor="aigul", added=["topic:repatriation"]),
                           token_id="tok", idempotency_key="same")
    assert err.value.status == 422
    # another token may use the same key for its own request
    _, replayed3, _ = store.add_feedback("d1", fb, token_id="other", idempotency_key="same")
    assert not replayed3 and len(store.feedback_log("d1")) == 2


def test_feedback_on_an_unknown_document_is_not_found(store):
    with pytest.raises(NotFound) as err:
        store.add_feedback("missing", Feedback(editor="a", note="x"), idempotency_key="k")
    assert err.value.status == 404
    assert store.feedback_log() == []


def test_the_feedback_log_is_append_only(store):
    put(store, "d1", "Текст.", [("extremism", 0.7)])
    store.add_feedback("d1", Feedback(editor="a", rejected=["topic:extremism"]), idempotency_key="k")
    for sql in ("UPDATE feedback SET editor = 'someone else'", "DELETE FROM feedback"):
        with pytest.raises(Exception, match="append-only"):
            store.db.run(lambda tx: tx.execute(sql), write=True)
    assert store.feedback_log()[0]["editor"] == "a"


def test_new_text_starts_without_the_old_corrections(store):
    put(store, "d1", "Старый текст.", [("extremism", 0.7)])
    store.add_feedback("d1", Feedback(editor="a", rejected=["topic:extremism"]), idempotency_key="k")
    assert store.get_document("d1")["tags"] == []
    put(store, "d1", "Совсем другой текст.", [("extremism", 0.6)])
    rec = store.get_document("d1")
    assert [t["id"] for t in rec["tags"]] == ["topic:extremism"]
    assert len(store.feedback_log("d1")) == 1  # the log keeps what was said about the old text
    assert store.check_consistency() == []


def test_training_records_hold_the_corrected_label_sets(store):
    put(store, "d1", "О репатриации.", [("extremism", 0.7)], title="Заголовок")
    put(store, "d2", "О диалоге.", [("interfaith_dialogue", 0.9)])
    put(store, "d3", "Только место.", [("extremism", 0.9)], [ALMATY])
    store.add_feedback("d1", Feedback(editor="a", rejected=["topic:extremism"],
                                      added=["topic:repatriation"],
                                      labels={"topic:repatriation": "repatriation"}))
    store.add_feedback("d3", Feedback(editor="a", places={"removed": ["g:1526384"], "added": []}))
    records = store.training_records()
    assert [r["id"] for r in records] == ["d1"]  # d2 uncorrected, d3 only places
    assert records[0]["labels"] == ["repatriation"]  # label names, as the corpora have them
    assert records[0]["title"] == "Заголовок" and records[0]["lang"] == "ru"
    assert records[0]["text"] == "О репатриации."


def test_search_filters_and_cursor_pagination(store):
    for i in range(7):
        tags = [("extremism", 0.8)] if i % 2 == 0 else [("repatriation", 0.8)]
        places = [ALMATY] if i < 3 else [ASTANA]
        put(store, f"doc-{i}", f"Документ номер {i} о ВСТРЕЧЕ имамов.", tags, places,
            lang="kk" if i == 6 else "ru")
    seen, cursor = [], None
    while True:
        page, cursor = store.search(Filters(), limit=3, cursor=cursor)
        assert len(page) <= 3
        seen += [r["id"] for r in page]
        if cursor is None:
            break
    assert sorted(seen) == [f"doc-{i}" for i in range(7)] and len(seen) == 7
    assert seen[0] == "doc-6"  # newest change first
    ids = lambda f: sorted(r["id"] for r in store.search(f, limit=100)[0])  # noqa: E731
    assert ids(Filters(tags=["topic:extremism"])) == ["doc-0", "doc-2", "doc-4", "doc-6"]
    assert ids(Filters(places=["1526384"])) == ["doc-0", "doc-1", "doc-2"]
    assert ids(Filters(places=["astana"], tags=["topic:repatriation"])) == ["doc-3", "doc-5"]
    assert ids(Filters(lang="kk")) == ["doc-6"]
    assert ids(Filters(q="встрече ИМАМОВ")) == [f"doc-{i}" for i in range(7)]
    assert ids(Filters(q="номер 5")) == ["doc-5"]
    assert ids(Filters(q="100%_")) == []
    later = store.get_document("doc-4")["updated_at"]
    assert ids(Filters(since=later)) == ["doc-4", "doc-5", "doc-6"]
    with pytest.raises(InputError):
        decode_cursor("not-a-cursor")


def test_facets_count_documents(store):
    put(store, "a", "Один.", [("extremism", 0.8), ("repatriation", 0.6)], [ALMATY])
    put(store, "b", "Два.", [("extremism", 0.8)], [ALMATY, ASTANA], lang="kk")
    put(store, "c", "Three.", [], [], lang="en")
    tags = {f["value"]: f["count"] for f in store.facets("tag", Filters())}
    assert tags == {"topic:extremism": 2, "topic:repatriation": 1}
    places = {f["geonameid"]: f["count"] for f in store.facets("place", Filters())}
    assert places == {1526384: 2, 1526273: 1}
    langs = {f["value"]: f["count"] for f in store.facets("lang", Filters())}
    assert langs == {"ru": 1, "kk": 1, "en": 1}
    assert {f["value"]: f["count"] for f in store.facets("tag", Filters(lang="kk"))} == {"topic:extremism": 1}
    with pytest.raises(InputError):
        store.facets("colour", Filters())


def test_export_iterates_every_document_once(store):
    for i in range(5):
        put(store, f"e{i}", f"Текст {i}.", [("extremism", 0.5)])
    exported = list(store.iter_documents(Filters(), page=2))
    assert [r["id"] for r in exported] == [f"e{i}" for i in range(5)]
    assert all("text" in r for r in exported)


def test_tokens_are_stored_hashed_and_can_be_revoked(store):
    secret, token = store.create_token("cms", ["write"])
    assert store.find_token(secret)["id"] == token["id"]
    assert store.find_token(secret + "x") is None
    raw = store.db.run(lambda tx: tx.all("SELECT * FROM tokens"))
    assert all(secret not in str(v) for row in raw for v in row.values())
    assert store.revoke_token("cms") == 1
    assert store.find_token(secret) is None
    assert store.revoke_token("cms") == 0
    assert store.list_tokens()[0]["revoked_at"] is not None


def test_rate_counter_counts_per_token_and_minute(store):
    assert [store.hit("t1", 100) for _ in range(3)] == [1, 2, 3]
    assert store.hit("t2", 100) == 1
    assert store.hit("t1", 101) == 1


def test_a_missing_postgres_fails_under_ci_and_skips_elsewhere(monkeypatch):
    from tests import postgres

    monkeypatch.delenv("NEWSROOM_TEST_POSTGRES_URL", raising=False)
    monkeypatch.setattr(postgres, "_server", None)
    monkeypatch.setattr(postgres, "_server_error", "initdb not found")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="initdb not found"):
        postgres.postgres_admin_url()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        postgres.postgres_admin_url()
