"""Hostile input: what a broken CMS, a scanner or an attacker sends, in-process and over real HTTP.

The in-process list goes through Flask's test client: every item must get a 4xx (or a 200) in
the one error shape, never a 5xx, and a response the OpenAPI document allows. The live tests
start the service as production does (`newsroom serve`: gunicorn, --preload, gthread) on
loopback and speak raw HTTP to it: oversized bodies are refused before they are read, malformed
HTTP never yields a 5xx, a client sending its body byte by byte does not hold up other requests,
concurrent requests get the answers serial ones get, and the largest request the limits allow
stays within the documented memory bound.
"""
from __future__ import annotations

import json
import select
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.local import LocalService
from tests.contract import EN, KK, RU, validate_response

# Peak resident memory of one worker while it analyses the largest request the limits allow
# (a batch filling NEWSROOM_MAX_BODY_BYTES): the README documents this bound.
WORKER_PEAK_RSS_BOUND_MB = 768

_NESTED = b"[" * 200_000 + b"]" * 200_000
HOSTILE = [
    # (name, path, raw body, content type)
    ("deeply nested arrays", "/v1/analyze", _NESTED, "application/json"),
    ("deeply nested objects", "/v1/analyze", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "application/json"),
    ("nesting just under the recursion limit", "/v1/analyze",
     b'{"text": "x", "parts": ' + b"[" * 900 + b"]" * 900 + b"}", "application/json"),
    ("nested batch", "/v1/analyze/batch", b'{"documents": ' + _NESTED + b"}", "application/json"),
    ("invalid UTF-8", "/v1/analyze", b'{"text": "\xc3\x28 \xff\xfe \xed\xa0\x80"}', "application/json"),
    ("UTF-16 body", "/v1/analyze", '{"text": "Алматы"}'.encode("utf-16"), "application/json"),
    ("UTF-8 byte order mark", "/v1/analyze", '\ufeff{"text": "Алматы"}'.encode("utf-8"), "application/json"),
    ("lone surrogate escapes", "/v1/analyze",
     b'{"text": "\\ud800 Almaty \\udfff 5 people", "id": "\\udc00", "title": "\\ud83d"}', "application/json"),
    ("lone surrogate in a batch id", "/v1/analyze/batch",
     b'{"documents": [{"text": "\\ud800", "id": "\\ud800"}, {"text": "ok \\udfff"}]}', "application/json"),
    ("NUL bytes and controls", "/v1/analyze", b'{"text": "\\u0000\\u0001\\u001b[31m Almaty"}', "application/json"),
    ("NaN and Infinity", "/v1/analyze", b'{"text": "x", "summary_chars": NaN, "summary_sentences": Infinity}',
     "application/json"),
    ("float too large", "/v1/analyze", b'{"text": "x", "summary_sentences": 1e400}', "application/json"),
    ("integer with 5000 digits", "/v1/analyze", b'{"text": "x", "summary_chars": ' + b"9" * 5000 + b"}",
     "application/json"),
    ("huge summary_chars", "/v1/analyze", b'{"text": "Almaty. Astana.", "summary_chars": ' + b"9" * 300 + b"}",
     "application/json"),
    ("negative id", "/v1/analyze", b'{"text": "Almaty", "id": -1}', "application/json"),
    ("boolean id", "/v1/analyze", b'{"text": "Almaty", "id": true}', "application/json"),
    ("duplicate keys", "/v1/analyze", b'{"text": 1, "text": "Almaty"}', "application/json"),
    ("text is an object", "/v1/analyze", b'{"text": {"$gt": ""}}', "application/json"),
    ("parts with duplicates and nulls", "/v1/analyze", b'{"text": "x", "parts": ["places", "places", null]}',
     "application/json"),
    ("batch of non-objects", "/v1/analyze/batch", b'{"documents": [1, "x", null, [], true]}', "application/json"),
    ("batch documents is an object", "/v1/analyze/batch", b'{"documents": {"text": "x"}}', "application/json"),
    ("trailing garbage", "/v1/analyze", b'{"text": "x"} {"text": "y"}', "application/json"),
    ("form encoded", "/v1/analyze", b"text=Almaty", "application/x-www-form-urlencoded"),
    ("multipart", "/v1/analyze", b"--b\r\nContent-Disposition: form-data; name=text\r\n\r\nx\r\n--b--\r\n",
     "multipart/form-data; boundary=b"),
    ("text/plain JSON", "/v1/analyze", b'{"text": "Almaty"}', "text/plain"),
    ("no content type", "/v1/analyze", b'{"text": "Almaty"}', None),
    ("only whitespace text", "/v1/places", b'{"text": "\\u2028\\u00a0\\t\\n "}', "application/json"),
    ("emoji-only text", "/v1/summary", '{"text": "😀👩‍👧‍👦🇰🇿"}'.encode(), "application/json"),
    ("right-to-left override", "/v1/analyze", '{"text": "\u202eАлматы 5 адам\u202c"}'.encode(), "application/json"),
    ("200,000 characters without a space", "/v1/analyze",
     json.dumps({"text": "а" * 200_000}).encode(), "application/json"),
    ("200,001 characters", "/v1/counts", json.dumps({"text": "1" * 200_001}).encode(), "application/json"),
]


@pytest.mark.parametrize("name,path,raw,content_type", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_bodies_never_get_a_5xx(client, name, path, raw, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    resp = client.post(path, data=raw, headers=headers)
    assert resp.status_code < 500, resp.get_data(as_text=True)[:500]
    validate_response(path, "post", resp)
    body = resp.get_json()
    if resp.status_code >= 400:
        assert body["error"]["status"] == resp.status_code and body["error"]["message"]
    json.dumps(body, allow_nan=False).encode("utf-8")  # always valid, encodable JSON


def test_lone_surrogates_become_replacement_characters(client):
    resp = client.post("/v1/analyze", data=b'{"text": "Almaty \\ud800 5 people", "id": "a\\udfff"}',
                       content_type="application/json")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["id"] == "a\ufffd"
    assert all("\ufffd" in s or "Almaty" in s for s in body["summary"])


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"])
def test_other_methods_on_analysis_paths(client, method):
    resp = client.open("/v1/analyze", method=method, data=b'{"text": "x"}')
    assert resp.status_code < 500


@pytest.mark.parametrize("path", ["/v1/%FF%FE", "/v1/analyze/%00", "/v1/" + "a" * 10_000,
                                  "/v1/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/v1/analyze?x=%ZZ",
                                  "/../../etc/passwd", "/v1/documents/" + "\u202e" * 50])
def test_odd_paths(client, path):
    resp = client.get(path)
    assert resp.status_code < 500


# ---------------------------------------------------------------------------- the live server
CLIENT_TIMEOUT = 3  # seconds; short so that the stalled-client tests finish quickly
THREADS = 4


class LiveServer(LocalService):
    """`newsroom serve` on a loopback port: one worker so that blocking would show."""

    def __init__(self, data_dir: Path, *, workers: int = 1, threads: int = THREADS) -> None:
        super().__init__(data_dir, env={
            "NEWSROOM_RELOAD_SECONDS": "0", "NEWSROOM_WORKERS": str(workers),
            "NEWSROOM_THREADS": str(threads), "NEWSROOM_CLIENT_TIMEOUT": str(CLIENT_TIMEOUT),
            "NEWSROOM_MAX_BODY_BYTES": "", "DATABASE_URL": f"sqlite:///{data_dir / 'live.sqlite3'}"})


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-5000:]


def _read_response(sock: socket.socket, timeout: float = 60) -> tuple[int | None, bytes]:
    """Status and raw bytes of one HTTP response (None if the server closed without one)."""
    sock.settimeout(timeout)
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        if not data:
            return None, b""
        head, _, rest = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 1"):  # skip "100 Continue"
            break
        data = rest
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), None)
    while length is not None and len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(head.split(b" ", 2)[1]), rest


def _head(path: str, extra: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{extra}\r\n").encode()


@pytest.mark.slow
@pytest.mark.parametrize("declared", [10 * 1024 * 1024, 100 * 1024 * 1024])
def test_large_bodies_are_refused_before_they_are_read(live, declared):
    """A 10 MB or 100 MB Content-Length gets 413 after we have sent only the first 64 KiB."""
    sent = 0
    with socket.create_connection(("127.0.0.1", live.port), timeout=60) as sock:
        sock.sendall(_head("/v1/analyze", f"Content-Length: {declared}\r\n"))
        first = b'{"text": "' + b"a" * (64 * 1024 - 10)
        sock.sendall(first)
        sent += len(first)
        status, body = _read_response(sock)
    assert sent < declared // 100
    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    assert live.request("GET", "/v1/health")[0] == 200


@pytest.mark.slow
def test_an_endless_chunked_body_is_cut_off_at_the_limit(live):
    """Without a Content-Length the server stops at the byte limit (8 MiB) and answers 413."""
    chunk = b"a" * 65536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent, status = 0, None
    with socket.create_connection(("127.0.0.1", live.port), timeout=60) as sock:
        sock.sendall(_head("/v1/analyze", "Transfer-Encoding: chunked\r\n") + b'5\r\n{"te:\r\n')
        while sent < 100 * 1024 * 1024:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable:
                status, body = _read_response(sock)
                break
            if writable:
                try:
                    sock.sendall(framed)
                except (BrokenPipeError, ConnectionResetError):
                    status, body = _read_response(sock)
                    break
                sent += len(chunk)
    assert status == 413, (status, sent)
    assert sent < 32 * 1024 * 1024, f"the server read {sent} bytes before refusing"
    assert live.request("GET", "/v1/health")[0] == 200


RAW_HTTP = [
    ("content length not a number", _head("/v1/analyze", "Content-Length: abc\r\n") + b"{}"),
    ("negative content length", _head("/v1/analyze", "Content-Length: -5\r\n") + b"{}"),
    ("two content lengths", _head("/v1/analyze", "Content-Length: 2\r\nContent-Length: 3\r\n") + b"{}"),
    ("content length and chunked", _head("/v1/analyze", "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n")
     + b"0\r\n\r\n"),
    ("bad chunk size", _head("/v1/analyze", "Transfer-Encoding: chunked\r\n") + b"zz\r\n{}\r\n0\r\n\r\n"),
    ("body shorter than declared", _head("/v1/analyze", "Content-Length: 100\r\n") + b'{"text": "x"}'),
    ("header line of 20 KiB", _head("/v1/analyze", "X-Junk: " + "a" * 20_000 + "\r\nContent-Length: 2\r\n") + b"{}"),
    ("500 headers", _head("/v1/analyze", "".join(f"X-{i}: {i}\r\n" for i in range(500)) + "Content-Length: 2\r\n")
     + b"{}"),
    ("request line of 20 KiB", b"GET /v1/" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("unknown method", b"BREW /v1/analyze HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("HTTP/0.9 style", b"GET /v1/health\r\n\r\n"),
    ("HTTP/3.0", b"GET /v1/health HTTP/3.0\r\nHost: x\r\n\r\n"),
    ("NUL in the path", b"GET /v1/he\x00alth HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("binary garbage", bytes(range(256)) * 4),
    ("header without colon", b"GET /v1/health HTTP/1.1\r\nHost x\r\n\r\n"),
    ("non-ASCII header", "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Name: Алматы\r\n\r\n".encode()),
    ("obsolete line folding", b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n"),
    ("pipelined requests", b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n" * 20),
    ("Expect 100-continue over the limit",
     _head("/v1/analyze", "Expect: 100-continue\r\nContent-Length: 999999999\r\n")),
]


@pytest.mark.slow
@pytest.mark.parametrize("raw", [r[1] for r in RAW_HTTP], ids=[r[0] for r in RAW_HTTP])
def test_malformed_http_never_gets_a_5xx(live, raw):
    with socket.create_connection(("127.0.0.1", live.port), timeout=60) as sock:
        sock.sendall(raw)
        try:
            status, _ = _read_response(sock, timeout=30)
        except ConnectionResetError:
            status = None  # closing the connection is a fine answer to garbage
    assert status is None or status < 500, status
    assert live.request("GET", "/v1/health")[0] == 200


@pytest.mark.slow
def test_a_slow_client_does_not_block_other_requests(live):
    """A client sending its body one byte at a time holds a thread, not the (only) worker."""
    body = json.dumps({"text": EN}).encode()
    fast_done = threading.Event()
    state = {"sent": 0, "status": None, "sent_when_fast_done": None}

    def slow_client():
        with socket.create_connection(("127.0.0.1", live.port), timeout=120) as sock:
            sock.sendall(_head("/v1/analyze", f"Content-Length: {len(body)}\r\n"))
            deadline = time.monotonic() + 60
            for i in range(len(body)):
                if fast_done.is_set() or time.monotonic() > deadline:
                    break
                sock.sendall(body[i:i + 1])
                state["sent"] = i + 1
                time.sleep(0.05)
            sock.sendall(body[state["sent"]:])
            state["sent"] = len(body)
            state["status"], _ = _read_response(sock)

    thread = threading.Thread(target=slow_client)
    thread.start()
    while state["sent"] < 5:  # the slow request is in the worker, mid-body
        time.sleep(0.05)
    status, reply = live.request("POST", "/v1/analyze", json.dumps({"text": RU}).encode())
    state["sent_when_fast_done"] = state["sent"]
    fast_done.set()
    thread.join(180)
    assert status == 200 and json.loads(reply)["language"]["code"] == "ru"
    assert state["sent_when_fast_done"] < len(body), "the fast request waited for the slow client"
    assert state["status"] == 200


@pytest.mark.slow
def test_stalled_uploads_time_out_and_free_the_worker(live):
    """Clients that stop mid-body (one per thread) get a 400 after the timeout; others then get in."""
    socks = []
    try:
        for _ in range(THREADS):
            sock = socket.create_connection(("127.0.0.1", live.port), timeout=120)
            sock.sendall(_head("/v1/analyze", "Content-Length: 1000\r\n") + b'{"text": "x')
            socks.append(sock)
        status, reply = live.request("POST", "/v1/analyze", json.dumps({"text": KK}).encode(),
                                     timeout=120)
        assert status == 200 and json.loads(reply)["language"]["code"] == "kk"
        for sock in socks:
            stalled_status, _ = _read_response(sock, timeout=120)
            assert stalled_status == 400
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.slow
def test_concurrent_requests_get_the_serial_answers(live):
    """Threads share the models: answers under concurrency equal the one-at-a-time answers."""
    texts = [EN, RU, KK, EN + " " + RU, KK + "\n" + EN, RU * 3]

    def answer(text: str) -> dict:
        status, reply = live.request("POST", "/v1/analyze", json.dumps({"text": text}).encode())
        assert status == 200
        body = json.loads(reply)
        for key in ("timing_ms", "timing_ms_parts"):
            body.pop(key)
        return body

    serial = [answer(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        concurrent = list(pool.map(answer, texts * 4))
    assert concurrent == serial * 4


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.slow
def test_the_largest_allowed_batch_stays_within_the_memory_bound(live, app):
    """128 documents filling the 8 MiB body limit: peak worker RSS under the documented bound."""
    limit, batch = app.config["MAX_CONTENT_LENGTH"], app.config["MAX_BATCH"]
    piece = (EN + " " + RU + " " + KK + " ").encode()

    def body_of(text: str) -> bytes:
        return json.dumps({"documents": [{"id": str(i), "text": text} for i in range(batch)]},
                          ensure_ascii=False).encode()

    per_doc = (limit - len(body_of(""))) // batch  # bytes of text per document
    text = (piece * (per_doc // len(piece) + 1))[:per_doc].decode("utf-8", "ignore")
    body = body_of(text)
    assert limit - 4096 < len(body) <= limit
    status, reply = live.request("POST", "/v1/analyze/batch", body, timeout=900)
    assert status == 200, reply[:500]
    results = json.loads(reply)["results"]
    assert len(results) == batch and all("error" not in r for r in results)
    (worker,) = live.worker_pids()
    peak = _peak_rss_mb(worker)
    print(f"peak worker RSS after a {len(body)}-byte batch of {batch}: {peak:.0f} MB")
    assert peak < WORKER_PEAK_RSS_BOUND_MB
