"""Nothing lost: 8 processes post 1,000 feedback events each to the service under gunicorn.

Clients retry every event until the service acknowledges it (same Idempotency-Key each time) and
repeat some already-acknowledged ones on purpose. Mid-run the test SIGKILLs one gunicorn worker
(requests in flight die with it) and one client process, which is then started again from its
first event. Afterwards the log must hold exactly the 8,000 events, once each, with the event ids
the clients were given, and the documents must agree with a replay of the log.
Run as a script, this file is the client.
"""
from __future__ import annotations

import functools
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.local import LocalService

CLIENTS = 8
EVENTS = 1000
TAGS = ("extremism", "repatriation", "interfaith_dialogue")
TEXTS = [
    "В Шымкенте имамы обсудили профилактику экстремизма среди молодёжи. Пришли 60 человек.",
    "Из Сирии в Казахстан вернули 12 женщин и 30 детей; их встретили в Актау.",
    "Interfaith dialogue meeting in Bishkek gathered 40 religious leaders from five regions.",
    "Алматыда дін қызметкерлеріне арналған семинар өтті, оған 25 имам қатысты.",
]


# -- the client (run as a script) ---------------------------------------------------------------
def _request(port: int, method: str, path: str, token: str, body: dict | None = None,
             headers: dict | None = None) -> tuple[int, dict, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode("utf-8") if body is not None else None
        conn.request(method, path, body=payload, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, dict(resp.getheaders()), json.loads(data) if data else {}
    finally:
        conn.close()


def feedback_body(worker: int, index: int) -> dict:
    """The one body that event (worker, index) always sends."""
    tag = TAGS[(worker + index) % len(TAGS)]
    decision = ("rejected", "added", "accepted")[index % 3]
    return {"editor": f"editor-{worker}", decision: [tag], "note": f"event {index} of {worker}"}


def client_main(port: int, token: str, worker: int, journal: str, docs: list[str]) -> None:
    """Post EVENTS events, each until acknowledged; journal every acknowledgement."""
    with open(journal, "a", encoding="utf-8") as out:
        for index in range(EVENTS):
            key = f"w{worker}-e{index}"
            doc = docs[(worker * 7 + index) % len(docs)]
            sends = 2 if index % 9 == 0 else 1  # some acknowledged events are sent again
            for _ in range(sends):
                while True:
                    try:
                        status, headers, body = _request(
                            port, "POST", f"/v1/documents/{doc}/feedback", token,
                            feedback_body(worker, index), {"Idempotency-Key": key})
                    except (OSError, http.client.HTTPException, ValueError):
                        time.sleep(0.05)
                        continue
                    if status in (200, 201):
                        out.write(json.dumps({"key": key, "event_id": body["event"]["event_id"],
                                              "status": status}) + "\n")
                        out.flush()
                        break
                    if status == 429:
                        time.sleep(float(headers.get("Retry-After", "1")))
                        continue
                    if status >= 500:
                        time.sleep(0.05)
                        continue
                    raise SystemExit(f"event {key} refused: {status} {body}")


# -- the test -----------------------------------------------------------------------------------
def _journal_lines(folder: Path) -> list[dict]:
    lines = []
    for path in sorted(folder.glob("client-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:  # the killed client's last line may be cut short
                continue
    return lines


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_no_feedback_event_is_lost_or_doubled(backend, tmp_path, request):
    import tempfile

    from service.store import Store
    from tests.postgres import create_database, scratch_dir

    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="newsroom-durable-", dir=scratch_dir()))
        url = f"sqlite:///{folder / 'durable.sqlite3'}"
        drop = functools.partial(shutil.rmtree, folder, ignore_errors=True)
    else:
        url, drop = create_database()
    request.addfinalizer(drop)
    store = Store(url)
    request.addfinalizer(store.close)
    token = store.create_token("load-test", ["read", "write"])[0]
    env = {"DATABASE_URL": url, "NEWSROOM_RELOAD_SECONDS": "0", "NEWSROOM_WORKERS": "3",
           "NEWSROOM_TIMEOUT": "60", "NEWSROOM_RATE_LIMIT_PER_MINUTE": "1000000"}
    clients: list[subprocess.Popen] = []
    server = LocalService(tmp_path, env=env, ready_within=180)
    port = server.port
    try:
        docs = []
        for i, text in enumerate(TEXTS):
            status, _, body = _request(port, "PUT", f"/v1/documents/durable-{i}", token,
                                       {"text": text})
            assert status == 201, body
            docs.append(f"durable-{i}")

        def start(worker: int) -> subprocess.Popen:
            with open(tmp_path / f"client-{worker}.err", "ab") as err:
                return subprocess.Popen(
                    [sys.executable, __file__, str(port), token, str(worker),
                     str(tmp_path / f"client-{worker}.jsonl"), ",".join(docs)],
                    env={**os.environ, **env}, stderr=err)

        clients = [start(w) for w in range(CLIENTS)]
        total = CLIENTS * EVENTS
        killed_worker = killed_client = False
        deadline = time.time() + 420
        while any(c.poll() is None for c in clients):
            assert time.time() < deadline, "the clients did not finish in time"
            done = len(_journal_lines(tmp_path))
            if not killed_worker and done > total * 0.25:
                workers = server.worker_pids()
                assert workers, "no gunicorn workers found"
                os.kill(workers[0], signal.SIGKILL)
                killed_worker = True
            if not killed_client and done > total * 0.45:
                clients[0].send_signal(signal.SIGKILL)
                clients[0].wait()
                clients[0] = start(0)  # begins again at its first event
                killed_client = True
            time.sleep(0.2)
        assert killed_worker and killed_client, "the run ended before the kills"
        failed = [(i, c.returncode) for i, c in enumerate(clients) if c.returncode != 0]
        assert not failed, (failed, [(tmp_path / f"client-{i}.err").read_text() for i, _ in failed])
    finally:
        for c in clients:
            if c.poll() is None:
                c.kill()
        server.stop()

    acked: dict[str, set[str]] = {}
    for line in _journal_lines(tmp_path):
        acked.setdefault(line["key"], set()).add(line["event_id"])
    expected = {f"w{w}-e{i}" for w in range(CLIENTS) for i in range(EVENTS)}
    assert set(acked) == expected
    assert all(len(ids) == 1 for ids in acked.values()), "a key was acknowledged as two events"

    log = store.feedback_log()
    keys = [e["idempotency_key"] for e in log]
    assert len(log) == total and len(set(keys)) == total and set(keys) == expected
    assert {e["idempotency_key"]: {e["event_id"]} for e in log} == acked
    assert store.check_consistency() == []
    counts = store.db.run(lambda tx: tx.one("SELECT SUM(feedback_count) AS n FROM documents"))
    assert int(counts["n"]) == total
    if backend == "sqlite":
        check = store.db.run(lambda tx: tx.one("PRAGMA integrity_check"))
        assert list(check.values()) == ["ok"]


if __name__ == "__main__":
    client_main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5].split(","))
