"""Documents/s of /v1/analyze/batch (all parts) over the topic test leads, in one process.

    .venv/bin/python bench/analyze.py [--repeats 3] [--batch 64]

Runs the service in-process through Flask's test client (no network), so the figure is the
cost of validation + every model + JSON, per document. Prints one markdown table.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import create_app  # noqa: E402
from training.corpora import read_jsonl, shared_data_dir  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()

    docs = [{"id": r["id"], "title": r["title"], "text": r["text"]}
            for r in read_jsonl(shared_data_dir() / "topics" / "test.jsonl")]
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app({"DATA_DIR": Path(data_dir), "RELOAD_SECONDS": 0})
        client = app.test_client()
        client.post("/v1/analyze/batch", json={"documents": docs[:8]})  # warm-up
        rates = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for i in range(0, len(docs), args.batch):
                resp = client.post("/v1/analyze/batch", json={"documents": docs[i:i + args.batch]})
                if resp.status_code != 200:
                    raise SystemExit(f"batch failed: {resp.status_code} {resp.get_json()}")
            rates.append(len(docs) / (time.perf_counter() - t0))
        single = []
        for doc in docs[:100]:
            t0 = time.perf_counter()
            client.post("/v1/analyze", json=doc)
            single.append((time.perf_counter() - t0) * 1000)
    chars = statistics.mean(len(d["title"]) + len(d["text"]) for d in docs)
    print(f"| measure ({len(docs)} topic test leads, mean {chars:.0f} chars, {args.repeats} repeats) | value |")
    print("|---|---|")
    print(f"| /v1/analyze/batch of {args.batch}, all parts: documents/s (median) | {statistics.median(rates):.0f} |")
    print(f"| same, min–max over repeats | {min(rates):.0f}–{max(rates):.0f} |")
    print(f"| /v1/analyze one document: median latency ms | {statistics.median(single):.1f} |")
    print(f"| /v1/analyze one document: p95 latency ms | {sorted(single)[int(len(single) * 0.95) - 1]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
