"""Round trip: editors correct 50 drafts the serving model tagged wrong, the corrections train the
next topic model, it is promoted, and the running service switches to it without a failed request.

The drafts are ours (tests/data/editor_corrections.jsonl: short news items in ru/kk/en written
for this test, with the labels an editor would give). Only those the serving model gets wrong are
corrected, through the API, as an editor would. Then `newsroom train topics --from-store`,
`newsroom evaluate topics` on the shared held-out test set and on the corrected drafts, and
`newsroom promote topics` while a client keeps calling the service.
"""
from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest

CORRECTIONS = Path(__file__).resolve().parent / "data" / "editor_corrections.jsonl"
N_CORRECTIONS = 50
NEW_VERSION = "editors-roundtrip"


def _evaluate(main, models: Path, version: str, corpus: Path | None, out: Path) -> dict:
    argv = ["evaluate", "topics", "--models", str(models), "--version", version, "--json", str(out)]
    if corpus is not None:
        argv += ["--corpus", str(corpus)]
    assert main(argv) == 0
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_editor_corrections_train_the_next_model_and_it_is_served(tmp_path, shared_data, monkeypatch):
    from models.artefacts import models_dir
    from service import create_app
    from service.cli import main

    models = tmp_path / "models"
    shutil.copytree(models_dir(), models)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    app = create_app({"TESTING": True, "MODELS_DIR": models, "DATABASE_URL": url,
                      "RELOAD_SECONDS": 1, "RATE_LIMIT_PER_MINUTE": 100_000})
    client = app.test_client()
    old_version = client.get("/v1/version").get_json()["models"]["topics"]
    store = app.extensions["newsroom.store"]
    auth = {"Authorization": f"Bearer {store.create_token('editor-desk', ['read', 'write'])[0]}"}

    # 1. the drafts are stored; editors correct the first 50 the model tagged wrong
    drafts = [json.loads(line) for line in CORRECTIONS.read_text(encoding="utf-8").splitlines()]
    corrected = []
    for draft in drafts:
        resp = client.put(f"/v1/documents/{draft['id']}", headers=auth,
                          json={"text": draft["text"], "title": draft["title"]})
        assert resp.status_code == 201, resp.get_json()
        model = {t["label"] for t in resp.get_json()["document"]["tags"]}
        gold = set(draft["labels"])
        if model == gold:
            continue
        resp = client.post(f"/v1/documents/{draft['id']}/feedback", headers={
            **auth, "Idempotency-Key": f"roundtrip-{draft['id']}"}, json={
            "editor": "desk-editor", "rejected": sorted(model - gold),
            "added": sorted(gold - model), "note": "round-trip test"})
        assert resp.status_code == 201, resp.get_json()
        corrected.append(draft)
        if len(corrected) == N_CORRECTIONS:
            break
    assert len(corrected) == N_CORRECTIONS, "fewer drafts than needed are tagged wrong"
    records = store.training_records()
    assert sorted(r["id"] for r in records) == sorted(d["id"] for d in corrected)
    assert all(r["labels"] == sorted(d["labels"]) for r, d in
               zip(sorted(records, key=lambda r: r["id"]), sorted(corrected, key=lambda d: d["id"])))

    # 2. train from the store (the corrections on top of the default corpora), not promoted yet
    argv = ["train", "topics", "--from-store", "--out", str(models), "--models", str(models),
            "--version", NEW_VERSION, "--no-promote"]
    assert main(argv) == 0
    manifest = json.loads((models / "topics" / NEW_VERSION / "manifest.json").read_text("utf-8"))
    assert manifest["training_data"]["n_docs"] > 4 * N_CORRECTIONS, "the default corpora were left out"
    assert manifest["training_data"]["n_editor_corrections"] == N_CORRECTIONS
    assert manifest["params"]["correction_weight"] < 1  # the calibration weighs them less
    assert client.get("/v1/version").get_json()["models"]["topics"] == old_version

    # 3. evaluate: the corrections are learnt, the held-out test set loses at most 0.01 micro-F1
    drafts_file = tmp_path / "corrected.jsonl"
    drafts_file.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in corrected),
                           encoding="utf-8")
    before = _evaluate(main, models, old_version, None, tmp_path / "before.json")
    after = _evaluate(main, models, NEW_VERSION, None, tmp_path / "after.json")
    learnt_before = _evaluate(main, models, old_version, drafts_file, tmp_path / "d0.json")
    learnt_after = _evaluate(main, models, NEW_VERSION, drafts_file, tmp_path / "d1.json")
    f1 = lambda r: r["all"]["micro"]["f1"]  # noqa: E731
    print(f"held-out micro-F1 {f1(before):.4f} -> {f1(after):.4f}; "
          f"corrected drafts micro-F1 {f1(learnt_before):.4f} -> {f1(learnt_after):.4f}")
    assert f1(after) >= f1(before) - 0.01
    assert f1(learnt_after) >= 0.9 > f1(learnt_before)

    # 4. promote while a client keeps calling the service: no request fails, the version switches
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    statuses: list[tuple[int, str]] = []
    stop = threading.Event()

    def keep_calling() -> None:
        import http.client

        while not stop.is_set():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            body = json.dumps({"text": corrected[len(statuses) % N_CORRECTIONS]["text"]})
            conn.request("POST", "/v1/analyze", body=body,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            payload = json.loads(resp.read())
            statuses.append((resp.status, payload.get("models", {}).get("topics", "")))
            conn.close()

    caller = threading.Thread(target=keep_calling)
    caller.start()
    try:
        time.sleep(1)
        assert main(["promote", "topics", NEW_VERSION, "--models", str(models)]) == 0
        deadline = time.time() + 180
        while not statuses or statuses[-1][1] != NEW_VERSION:
            assert time.time() < deadline, "the service did not switch to the promoted model"
            time.sleep(0.5)
        time.sleep(1)
    finally:
        stop.set()
        caller.join()
        server.shutdown()
    assert all(status == 200 for status, _ in statuses), [s for s in statuses if s[0] != 200]
    versions = [v for _, v in statuses]
    assert versions[0] == old_version and versions[-1] == NEW_VERSION
    switch = versions.index(NEW_VERSION)
    assert set(versions[switch:]) == {NEW_VERSION}  # no flapping back once switched

    # 5. re-putting a corrected draft now stores the new model's tags, which match the editor's
    draft = corrected[0]
    resp = client.put(f"/v1/documents/{draft['id']}", headers=auth,
                      json={"text": draft["text"], "title": draft["title"]})
    assert resp.status_code == 200 and resp.get_json()["status"] == "updated"
    assert resp.get_json()["document"]["analysed_with"]["topics"] == NEW_VERSION
