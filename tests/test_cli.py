"""The `newsroom` command line: analyze keeps input order and reports bad lines in place."""
from __future__ import annotations

import json
import subprocess
import sys


def _run(args, stdin=""):
    return subprocess.run([sys.executable, "-m", "service.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_analyze_jsonl_from_stdin_keeps_order(tmp_path):
    docs = [
        {"id": "kk1", "text": "Астанада 12 әйел мен 30 бала Сириядан оралды."},
        {"id": "bad"},
        {"id": "en1", "text": "Five dialogue meetings were held in Merke and Kulan."},
    ]
    stdin = "\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\nnot json\n"
    proc = _run(["analyze", "--parts", "language,counts"], stdin)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["kk1", "bad", "en1", "stdin:4"]
    assert rows[0]["language"]["code"] == "kk"
    assert {c["value"] for c in rows[0]["counts"]} >= {12, 30}
    assert rows[1]["error"]["code"] == "text_required"
    assert rows[2]["language"]["code"] == "en"
    assert rows[3]["error"]["code"] == "invalid_json"


def test_analyze_text_files(tmp_path):
    path = tmp_path / "draft.txt"
    path.write_text("В Бишкеке прошла встреча 40 имамов.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = _run(["analyze", str(path), "--output", str(out), "--parts", "places"])
    assert proc.returncode == 0, proc.stderr
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["id"] == "draft.txt"
    assert any(p["name"] == "Bishkek" for p in row["places"])


def test_help_lists_every_verb():
    proc = _run(["--help"])
    for verb in ("serve", "analyze", "train", "evaluate", "promote", "rollback", "token"):
        assert verb in proc.stdout
