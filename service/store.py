"""The document store: analysed documents, the editors' feedback log, and the search feed.

A document row keeps what the models said (`model_tags`, `model_places`) apart from what the
editors decided (`decisions`, `place_decisions`); the effective `tags` and `places` are derived
from both and indexed in `document_tags` / `document_places` for the feed and the facets.
Feedback is an append-only log (the database refuses UPDATE and DELETE on it); each event
records who, when, under which model version, and the tag and place sets before and after.
Nothing here changes a model: `training_records()` only hands the corrected label sets to
`newsroom train topics --from-store`.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

from models.errors import InputError, NewsroomError
from models.normalize import fold
from models.topics import EDITOR_SOURCE
from service.db import Database, Tx, utcnow

FACET_FIELDS = ("tag", "place", "lang")
DECISIONS = ("accepted", "rejected", "added")


class NotFound(NewsroomError):
    """A document (or another stored thing) the caller named does not exist."""

    status = 404
    code = "not_found"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def text_hash(title: str, text: str, lang_hint: str | None) -> str:
    """SHA-256 of what the caller sent: the same text re-put is recognised as the same."""
    digest = hashlib.sha256()
    for part in (title or "", text, lang_hint or ""):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def models_key(models: dict[str, str]) -> str:
    """One string for a set of model versions (a different model re-analyses the text)."""
    return _dumps(dict(sorted(models.items())))


def tag_id(topic: dict) -> str:
    """The stable id of a topic tag (the model's `id`, else its label)."""
    return str(topic.get("id") or topic["label"])


def place_key(place: dict) -> str:
    """A place's stable key: its GeoNames id when resolved, else its folded name."""
    if place.get("geonameid") is not None:
        return f"g:{int(place['geonameid'])}"
    return "n:" + fold(str(place.get("name") or "")).strip()


# -- deriving the effective tags and places -------------------------------------------------
def effective_tags(model_tags: list[dict], decisions: dict[str, list]) -> list[dict]:
    """The model's tags minus the rejected ones, plus the editors' added ones.

    `decisions` maps a tag id to [decision, label], decision being accepted, rejected or added.
    """
    out = []
    seen = set()
    for topic in model_tags:
        tid = tag_id(topic)
        decision = decisions.get(tid, [None])[0]
        seen.add(tid)
        if decision == "rejected":
            continue
        out.append({"id": tid, "label": topic.get("label", tid), "score": topic.get("score"),
                    "model_version": topic.get("model_version"), "source": "model",
                    "status": "accepted" if decision in ("accepted", "added") else "proposed"})
    for tid in sorted(decisions):
        decision, label = decisions[tid]
        if tid not in seen and decision in ("accepted", "added"):
            out.append({"id": tid, "label": label, "score": None, "model_version": None,
                        "source": "editor", "status": "added"})
    return out


def effective_places(model_places: list[dict], place_decisions: dict) -> list[dict]:
    """The model's places minus those the editors removed, plus those they added."""
    removed = set(place_decisions.get("removed", []))
    out = []
    keys = set()
    for place in model_places:
        key = place_key(place)
        if key in removed or key in keys:
            continue
        keys.add(key)
        out.append({"key": key, "geonameid": place.get("geonameid"), "name": place.get("name"),
                    "country": place.get("country"), "type": place.get("type"),
                    "lat": place.get("lat"), "lon": place.get("lon"),
                    "mentions": int(place.get("mentions") or 0), "source": "model"})
    for place in place_decisions.get("added", []):
        key = place_key(place)
        if key in keys:
            continue
        keys.add(key)
        out.append({"key": key, "geonameid": place.get("geonameid"), "name": place.get("name"),
                    "country": place.get("country"), "type": place.get("type"),
                    "lat": None, "lon": None, "mentions": 0, "source": "editor"})
    return out


def apply_tag_feedback(decisions: dict[str, list], model_ids: set[str], accepted: list[str],
                       rejected: list[str], added: list[str],
                       labels: dict[str, str] | None = None) -> dict[str, list]:
    """New editor decisions after one feedback event (a later decision replaces an earlier one)."""
    labels = labels or {}
    new = {tid: list(value) for tid, value in decisions.items()}

    def label(tid: str) -> str:
        return labels.get(tid) or new.get(tid, [None, tid])[1]

    for tid in [*accepted, *added]:
        new[tid] = ["accepted" if tid in model_ids else "added", label(tid)]
    for tid in rejected:
        new[tid] = ["rejected", label(tid)]
    return new


def apply_place_feedback(place_decisions: dict, corrections: dict) -> dict:
    """New place decisions after one event: removals by key, additions by place object."""
    removed = list(place_decisions.get("removed", []))
    added = list(place_decisions.get("added", []))
    for place in corrections.get("added", []):
        key = place_key(place)
        removed = [k for k in removed if k != key]
        added = [p for p in added if place_key(p) != key] + [place]
    for key in corrections.get("removed", []):
        added = [p for p in added if place_key(p) != key]
        if key not in removed:
            removed.append(key)
    return {"removed": sorted(removed), "added": added}


# -- the feedback request -------------------------------------------------------------------
@dataclass
class Feedback:
    """One validated feedback request."""

    editor: str
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    places: dict = field(default_factory=lambda: {"removed": [], "added": []})
    note: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # tag id -> label, for added tags

    def request_hash(self, document_id: str) -> str:
        """What a retry must repeat exactly to count as the same request."""
        body = {"document_id": document_id, "editor": self.editor, "accepted": self.accepted,
                "rejected": self.rejected, "added": self.added, "places": self.places,
                "note": self.note}
        return hashlib.sha256(_dumps(body).encode("utf-8")).hexdigest()


# -- cursors --------------------------------------------------------------------------------
def encode_cursor(updated_at: str, doc_id: str, order: str) -> str:
    """An opaque cursor: the last row's sort key."""
    raw = _dumps({"u": updated_at, "i": doc_id, "o": order}).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, str]:
    """The sort key inside a cursor, or a 400 if the cursor was not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode("utf-8"))
        if not (isinstance(data["u"], str) and isinstance(data["i"], str)
                and data["o"] in ("asc", "desc")):
            raise ValueError
        return data["u"], data["i"], data["o"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InputError("'cursor' is not a cursor this service returned",
                         code="invalid_cursor") from exc


@dataclass
class Filters:
    """The search feed's filters (every one optional; several tags or places must all match).

    A tag is named by its stable id or its label; a place by its GeoNames id or its name.
    """

    tags: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    lang: str | None = None
    since: str | None = None
    q: str | None = None

    def where(self) -> tuple[str, list]:
        """SQL conditions on `documents d` and their parameters."""
        clauses, params = [], []
        for tid in self.tags:
            clauses.append("EXISTS (SELECT 1 FROM document_tags t WHERE t.document_id = d.id "
                           "AND (t.tag_id = ? OR t.label = ?))")
            params += [tid, tid]
        for place in self.places:
            if place.isdigit():
                clauses.append("EXISTS (SELECT 1 FROM document_places p WHERE p.document_id = d.id "
                               "AND p.geonameid = ?)")
                params.append(int(place))
            else:
                clauses.append("EXISTS (SELECT 1 FROM document_places p WHERE p.document_id = d.id "
                               "AND p.name_fold = ?)")
                params.append(fold(place).strip())
        if self.lang:
            clauses.append("d.lang = ?")
            params.append(self.lang)
        if self.since:
            clauses.append("d.updated_at >= ?")
            params.append(self.since)
        if self.q:
            clauses.append("d.search_text LIKE ? ESCAPE '\\'")
            escaped = fold(self.q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        return (" AND ".join(clauses) or "1 = 1"), params


# -- the store ------------------------------------------------------------------------------
class Store:
    """Documents, feedback, tokens and rate counters in one database (SQLite or PostgreSQL)."""

    def __init__(self, database_url: str, *, migrate: bool = True) -> None:
        self.db = Database(database_url)
        if migrate:
            self.db.migrate()
            self.db.close()  # no connection outlives start-up into gunicorn's forked workers

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgres'."""
        return self.db.dialect

    def close(self) -> None:
        """Close this thread's connection."""
        self.db.close()

    # -- documents ------------------------------------------------------------------------
    def fingerprint(self, doc_id: str) -> dict | None:
        """The stored text hash and model versions of a document (to skip a no-op re-put)."""
        return self.db.run(lambda tx: tx.one(
            "SELECT text_hash, models_key FROM documents WHERE id = ?", (doc_id,)))

    def put_document(self, doc_id: str, *, title: str, text: str, lang_hint: str | None,
                     result: dict, models: dict[str, str]) -> tuple[str, dict]:
        """Store one analysed document: ('created'|'updated'|'unchanged', its record)."""
        thash = text_hash(title, text, lang_hint)
        mkey = models_key(models)
        topics_version = models.get("topics")
        model_tags = [{**topic, "id": tag_id(topic), "model_version": topics_version}
                      for topic in result.get("topics", [])]
        model_places = list(result.get("places", []))
        language = result.get("language") or {}

        def write(tx: Tx) -> tuple[str, dict]:
            row = tx.one("SELECT * FROM documents WHERE id = ?" + tx.lock_clause(), (doc_id,))
            now = utcnow()
            if row is not None and row["text_hash"] == thash and row["models_key"] == mkey:
                return "unchanged", row
            if row is not None and row["text_hash"] == thash:
                decisions = json.loads(row["decisions"])  # same text: the editors' word stands
                place_decisions = json.loads(row["place_decisions"])
            else:
                decisions, place_decisions = {}, {"removed": [], "added": []}
            tags = effective_tags(model_tags, decisions)
            places = effective_places(model_places, place_decisions)
            values = {
                "title": title, "text": text, "text_hash": thash, "lang_hint": lang_hint,
                "lang": language.get("code"), "lang_score": language.get("score"),
                "models": _dumps(models), "models_key": mkey, "topics_version": topics_version,
                "model_tags": _dumps(model_tags), "model_places": _dumps(model_places),
                "counts": _dumps(result.get("counts", [])),
                "summary": _dumps(result.get("summary", [])),
                "decisions": _dumps(decisions), "place_decisions": _dumps(place_decisions),
                "tags": _dumps(tags), "places": _dumps(places),
                "search_text": fold(f"{title}\n{text}"), "updated_at": now, "analysed_at": now,
            }
            if row is None:
                values.update({"id": doc_id, "created_at": now, "revision": 1, "feedback_count": 0})
                cols = ", ".join(values)
                tx.execute(f"INSERT INTO documents ({cols}) VALUES ({', '.join('?' * len(values))})",
                           list(values.values()))
                status = "created"
            else:
                sets = ", ".join(f"{col} = ?" for col in values)
                tx.execute(f"UPDATE documents SET {sets}, revision = revision + 1 WHERE id = ?",
                           [*values.values(), doc_id])
                status = "updated"
            self._index(tx, doc_id, tags, places)
            return status, tx.one("SELECT * FROM documents WHERE id = ?", (doc_id,))

        status, row = self.db.run(write, write=True)
        return status, self.record(row, include_text=True)

    def _index(self, tx: Tx, doc_id: str, tags: list[dict], places: list[dict]) -> None:
        """Rewrite a document's rows in the tag and place indexes."""
        tx.execute("DELETE FROM document_tags WHERE document_id = ?", (doc_id,))
        tx.execute("DELETE FROM document_places WHERE document_id = ?", (doc_id,))
        tx.executemany("INSERT INTO document_tags (document_id, tag_id, label, score, "
                       "model_version, source) VALUES (?, ?, ?, ?, ?, ?)",
                       [(doc_id, tag["id"], tag["label"], tag["score"], tag["model_version"],
                         tag["source"]) for tag in tags])
        tx.executemany("INSERT INTO document_places (document_id, place_key, geonameid, name, "
                       "name_fold, country, mentions) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(doc_id, place["key"], place["geonameid"], place["name"] or "",
                         fold(place["name"] or "").strip(), place["country"], place["mentions"])
                        for place in places])

    def get_document(self, doc_id: str, *, include_text: bool = True) -> dict:
        """One document's record, or NotFound."""
        row = self.db.run(lambda tx: tx.one("SELECT * FROM documents WHERE id = ?", (doc_id,)))
        if row is None:
            raise NotFound(f"no document with id {doc_id!r}", code="document_not_found")
        return self.record(row, include_text=include_text)

    @staticmethod
    def record(row: dict, *, include_text: bool) -> dict:
        """The public shape of a stored document (stable tag ids and GeoNames ids included)."""
        decisions = json.loads(row["decisions"])
        rec = {
            "id": row["id"], "title": row["title"], "lang": row["lang"],
            "lang_score": row["lang_score"], "text_hash": row["text_hash"],
            "tags": json.loads(row["tags"]),
            "rejected_tags": sorted(t for t, d in decisions.items() if d[0] == "rejected"),
            "places": [{k: v for k, v in p.items() if k != "key"} for p in json.loads(row["places"])],
            "counts": json.loads(row["counts"]), "summary": json.loads(row["summary"]),
            "model_tags": json.loads(row["model_tags"]),
            "analysed_with": json.loads(row["models"]),
            "feedback_count": int(row["feedback_count"]), "revision": int(row["revision"]),
            "created_at": row["created_at"], "updated_at": row["updated_at"],
            "analysed_at": row["analysed_at"],
        }
        if include_text:
            rec["text"] = row["text"]
        return rec

    # -- the search feed -------------------------------------------------------------------
    def search(self, filters: Filters, *, limit: int = 50, cursor: str | None = None,
               order: str = "desc", include_text: bool = False) -> tuple[list[dict], str | None]:
        """One page of matching documents, newest change first (or oldest with order=asc)."""
        where, params = filters.where()
        if cursor:
            updated_at, last_id, order = decode_cursor(cursor)
            op = "<" if order == "desc" else ">"
            where += f" AND (d.updated_at {op} ? OR (d.updated_at = ? AND d.id {op} ?))"
            params += [updated_at, updated_at, last_id]
        direction = "DESC" if order == "desc" else "ASC"
        sql = (f"SELECT d.* FROM documents d WHERE {where} "
               f"ORDER BY d.updated_at {direction}, d.id {direction} LIMIT ?")
        rows = self.db.run(lambda tx: tx.all(sql, [*params, limit + 1]))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1]["updated_at"], rows[-1]["id"], order) \
            if more and rows else None
        return [self.record(r, include_text=include_text) for r in rows], next_cursor

    def iter_documents(self, filters: Filters, *, page: int = 200) -> Iterator[dict]:
        """Every matching document, oldest change first, read page by page (for the export)."""
        cursor = None
        while True:
            records, cursor = self.search(filters, limit=page, cursor=cursor, order="asc",
                                          include_text=True)
            yield from records
            if cursor is None:
                return

    def facets(self, field_name: str, filters: Filters) -> list[dict]:
        """Counts of documents per tag, place or language among the matching documents."""
        where, params = filters.where()
        if field_name == "tag":
            sql = (f"SELECT t.tag_id AS value, MIN(t.label) AS label, COUNT(*) AS count "
                   f"FROM document_tags t JOIN documents d ON d.id = t.document_id WHERE {where} "
                   f"GROUP BY t.tag_id ORDER BY count DESC, value")
        elif field_name == "place":
            sql = (f"SELECT p.place_key AS value, MIN(p.geonameid) AS geonameid, MIN(p.name) AS label,"
                   f" COUNT(*) AS count FROM document_places p JOIN documents d "
                   f"ON d.id = p.document_id WHERE {where} "
                   f"GROUP BY p.place_key ORDER BY count DESC, value")
        elif field_name == "lang":
            sql = (f"SELECT d.lang AS value, COUNT(*) AS count FROM documents d WHERE {where} "
                   f"GROUP BY d.lang ORDER BY count DESC, value")
        else:
            raise InputError(f"'field' must be one of {', '.join(FACET_FIELDS)}",
                             code="invalid_field")
        rows = self.db.run(lambda tx: tx.all(sql, params))
        out = []
        for row in rows:
            item = {"value": row["value"], "count": int(row["count"])}
            if field_name == "tag":
                item["label"] = row["label"]
            elif field_name == "place":
                item["label"] = row["label"]
                item["geonameid"] = None if row["geonameid"] is None else int(row["geonameid"])
            out.append(item)
        return out

    # -- feedback ---------------------------------------------------------------------------
    def add_feedback(self, doc_id: str, feedback: Feedback, *, token_id: str = "",
                     idempotency_key: str | None = None) -> tuple[dict, bool, dict]:
        """Append one feedback event (once per idempotency key).

        Returns the event, whether it was a replay of an earlier request, and the document's
        record as it stands after the event.
        """
        key = idempotency_key or f"auto:{uuid.uuid4()}"
        request_hash = feedback.request_hash(doc_id)

        def replay(tx: Tx, existing: dict) -> tuple[dict, bool, dict]:
            event = self._replay(existing, request_hash)
            row = tx.one("SELECT * FROM documents WHERE id = ?", (existing["document_id"],))
            return event, True, self.record(row, include_text=False)

        def write(tx: Tx) -> tuple[dict, bool, dict]:
            row = tx.one("SELECT * FROM documents WHERE id = ?" + tx.lock_clause(), (doc_id,))
            # Looked up under the document's lock, so a concurrent retry has finished by now; the
            # same key sent for another document loses the unique race and is retried into here.
            existing = tx.one("SELECT * FROM feedback WHERE token_id = ? AND idempotency_key = ?",
                              (token_id, key))
            if existing is not None:
                return replay(tx, existing)
            if row is None:
                raise NotFound(f"no document with id {doc_id!r}", code="document_not_found")
            model_tags = json.loads(row["model_tags"])
            decisions = json.loads(row["decisions"])
            place_decisions = json.loads(row["place_decisions"])
            before_tags = json.loads(row["tags"])
            before_places = json.loads(row["places"])
            new_decisions = apply_tag_feedback(decisions, {tag_id(t) for t in model_tags},
                                               feedback.accepted, feedback.rejected, feedback.added,
                                               feedback.labels)
            new_places = apply_place_feedback(place_decisions, feedback.places)
            tags = effective_tags(model_tags, new_decisions)
            places = effective_places(json.loads(row["model_places"]), new_places)
            now = utcnow()
            event = {
                "event_id": str(uuid.uuid4()), "token_id": token_id, "idempotency_key": key,
                "request_hash": request_hash, "document_id": doc_id, "editor": feedback.editor,
                "created_at": now, "model_version": row["topics_version"], "models": row["models"],
                "text_hash": row["text_hash"], "accepted": _dumps(feedback.accepted),
                "rejected": _dumps(feedback.rejected), "added": _dumps(feedback.added),
                "places": _dumps(feedback.places), "note": feedback.note,
                "before": _dumps({"tags": sorted(t["id"] for t in before_tags),
                                  "places": sorted(p["key"] for p in before_places)}),
                "after": _dumps({"tags": sorted(t["id"] for t in tags),
                                 "places": sorted(p["key"] for p in places)}),
            }
            cols = ", ".join(event)
            stored = tx.one(f"INSERT INTO feedback ({cols}) VALUES ({', '.join('?' * len(event))}) "
                            "RETURNING *", list(event.values()))
            updated = tx.one("UPDATE documents SET decisions = ?, place_decisions = ?, tags = ?, "
                             "places = ?, feedback_count = feedback_count + 1, "
                             "revision = revision + 1, updated_at = ? WHERE id = ? RETURNING *",
                             (_dumps(new_decisions), _dumps(new_places), _dumps(tags),
                              _dumps(places), now, doc_id))
            self._index(tx, doc_id, tags, places)
            return self.event(stored), False, self.record(updated, include_text=False)

        return self.db.run(write, write=True)

    def _replay(self, row: dict, request_hash: str) -> dict:
        if row["request_hash"] != request_hash:
            raise InputError("this Idempotency-Key was already used for a different request",
                             code="idempotency_key_reused", status=422)
        return self.event(row)

    @staticmethod
    def event(row: dict) -> dict:
        """The public shape of one feedback event."""
        return {
            "event_id": row["event_id"], "seq": int(row["seq"]), "document_id": row["document_id"],
            "editor": row["editor"], "created_at": row["created_at"],
            "model_version": row["model_version"], "models": json.loads(row["models"]),
            "text_hash": row["text_hash"], "idempotency_key": row["idempotency_key"],
            "accepted": json.loads(row["accepted"]), "rejected": json.loads(row["rejected"]),
            "added": json.loads(row["added"]), "places": json.loads(row["places"]),
            "note": row["note"], "before": json.loads(row["before"]),
            "after": json.loads(row["after"]),
        }

    def feedback_log(self, doc_id: str | None = None) -> list[dict]:
        """The feedback events (of one document, or all), in the order they were recorded."""
        if doc_id is None:
            rows = self.db.run(lambda tx: tx.all("SELECT * FROM feedback ORDER BY seq"))
        else:
            rows = self.db.run(lambda tx: tx.all(
                "SELECT * FROM feedback WHERE document_id = ? ORDER BY seq", (doc_id,)))
        return [self.event(r) for r in rows]

    def training_records(self) -> list[dict]:
        """Documents the editors corrected, with their corrected label sets, for retraining."""
        rows = self.db.run(lambda tx: tx.all(
            "SELECT id, lang, title, text, tags, decisions FROM documents "
            "WHERE feedback_count > 0 ORDER BY id"))
        out = []
        for row in rows:
            if not json.loads(row["decisions"]):
                continue  # only place corrections: nothing for the topic model
            labels = sorted({t["label"] for t in json.loads(row["tags"])})
            out.append({"id": row["id"], "lang": row["lang"], "title": row["title"],
                        "text": row["text"], "labels": labels, "source": EDITOR_SOURCE})
        return out

    def check_consistency(self) -> list[str]:
        """Problems found when the derived state is rebuilt from the log (empty = consistent)."""
        problems = []
        docs = self.db.run(lambda tx: tx.all("SELECT * FROM documents ORDER BY id"))
        events = self.feedback_log()
        by_doc: dict[str, list[dict]] = {}
        for ev in events:
            by_doc.setdefault(ev["document_id"], []).append(ev)
        keys = [(ev["idempotency_key"]) for ev in events]
        if len(keys) != len(set(keys)):
            problems.append("an idempotency key appears more than once in the log")
        index_tags = self.db.run(lambda tx: tx.all("SELECT document_id, tag_id FROM document_tags"))
        indexed: dict[str, set] = {}
        for row in index_tags:
            indexed.setdefault(row["document_id"], set()).add(row["tag_id"])
        for row in docs:
            evs = [e for e in by_doc.get(row["id"], []) if e["text_hash"] == row["text_hash"]]
            if int(row["feedback_count"]) != len(by_doc.get(row["id"], [])):
                problems.append(f"{row['id']}: feedback_count {row['feedback_count']} but "
                                f"{len(by_doc.get(row['id'], []))} events")
            model_tags = json.loads(row["model_tags"])
            decisions: dict[str, list] = {}
            for ev in evs:
                decisions = apply_tag_feedback(decisions, {tag_id(t) for t in model_tags},
                                               ev["accepted"], ev["rejected"], ev["added"])
            stored = json.loads(row["decisions"])
            if {k: v[0] for k, v in decisions.items()} != {k: v[0] for k, v in stored.items()}:
                problems.append(f"{row['id']}: decisions differ from the replayed log")
            tags = {t["id"] for t in json.loads(row["tags"])}
            if tags != {t["id"] for t in effective_tags(model_tags, stored)}:
                problems.append(f"{row['id']}: tags differ from the replayed log")
            if tags != indexed.get(row["id"], set()):
                problems.append(f"{row['id']}: the tag index differs from the document")
            for prev, ev in zip(evs, evs[1:]):
                if prev["after"]["tags"] != ev["before"]["tags"]:
                    problems.append(f"{row['id']}: event {ev['seq']} does not start where "
                                    f"event {prev['seq']} ended")
        return problems

    # -- tokens and rate limits ---------------------------------------------------------------
    def create_token(self, name: str, scopes: list[str]) -> tuple[str, dict]:
        """A new bearer token: (the secret, shown once; its stored row without the hash)."""
        import secrets

        secret = "nrt_" + secrets.token_urlsafe(32)
        row = {"id": "tok_" + secrets.token_hex(6), "name": name, "token_hash": hash_token(secret),
               "scopes": ",".join(scopes), "created_at": utcnow()}
        self.db.run(lambda tx: tx.execute(
            "INSERT INTO tokens (id, name, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)",
            list(row.values())), write=True)
        return secret, _public_token({**row, "revoked_at": None})

    def revoke_token(self, name_or_id: str) -> int:
        """Revoke every live token with this id or name; returns how many."""
        def write(tx: Tx) -> int:
            cur = tx.execute("UPDATE tokens SET revoked_at = ? WHERE (id = ? OR name = ?) "
                             "AND revoked_at IS NULL", (utcnow(), name_or_id, name_or_id))
            return cur.rowcount
        return self.db.run(write, write=True)

    def list_tokens(self) -> list[dict]:
        """Every token (never its secret or hash)."""
        rows = self.db.run(lambda tx: tx.all("SELECT * FROM tokens ORDER BY created_at, id"))
        return [_public_token(r) for r in rows]

    def find_token(self, secret: str) -> dict | None:
        """The live token with this secret, or None."""
        row = self.db.run(lambda tx: tx.one(
            "SELECT * FROM tokens WHERE token_hash = ? AND revoked_at IS NULL",
            (hash_token(secret),)))
        return None if row is None else _public_token(row)

    def hit(self, token_id: str, minute: int) -> int:
        """Count one request by a token in a minute window; returns the window's count so far."""
        def write(tx: Tx) -> int:
            row = tx.one("INSERT INTO rate_counts (token_id, minute, hits) VALUES (?, ?, 1) "
                         "ON CONFLICT (token_id, minute) DO UPDATE SET hits = rate_counts.hits + 1 "
                         "RETURNING hits", (token_id, minute))
            hits = int(row["hits"])
            if hits == 1:
                tx.execute("DELETE FROM rate_counts WHERE token_id = ? AND minute < ?",
                           (token_id, minute - 2))
            return hits
        return self.db.run(write, write=True, durable=False)


def hash_token(secret: str) -> str:
    """Tokens are stored as SHA-256 of the secret (they are long random strings, not passwords)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _public_token(row: dict) -> dict:
    return {"id": row["id"], "name": row["name"],
            "scopes": [s for s in row["scopes"].split(",") if s],
            "created_at": row["created_at"], "revoked_at": row.get("revoked_at")}


def default_database_url() -> str:
    """DATABASE_URL, else the SQLite file in the data directory (as the service uses)."""
    from service.config import from_env

    return os.environ.get("DATABASE_URL") or from_env()["DATABASE_URL"]


def open_store(database_url: str | None = None) -> Store:
    """A store over DATABASE_URL (or the default SQLite file), migrated to the newest schema."""
    return Store(database_url or default_database_url())


def training_records(database_url: str | None = None) -> list[dict]:
    """The editors' corrected documents as {id, lang, title, text, labels} training records."""
    store = open_store(database_url)
    try:
        return store.training_records()
    finally:
        store.close()
