"""The whole service under HTTP load: gunicorn as production runs it, driven by wrk.

    .venv/bin/python bench/service.py [--workers 1] [--duration 15] [--repeats 3] [--soak SECONDS]

Starts `newsroom serve` (gunicorn, --preload, gthread) on a loopback port with the production
settings, times the cold start to /v1/ready, and drives it with wrk (installed from Debian with
apt-get if missing) for: /v1/analyze on the 1 kB topic test leads, /v1/analyze on 5 kB articles
at peak and at half of peak, and /v1/analyze/batch of 64 leads. For each it reports
documents/s, p50/p95/p99 latency, errors and resident memory per worker. Before the server
starts, and in the same run, it times what a newsroom would otherwise assemble over the same
documents in one process: langdetect + natasha NER + sumy LexRank (sumy fed our own sentence
splitter, so no NLTK data is needed), beside our whole pipeline in the same process, and
prints the ratios. `--soak SECONDS` adds a long run on /v1/analyze with RSS sampled throughout.
Every figure is a median over --repeats runs. Prints one markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from models.sentences import split as split_sentences  # noqa: E402
from service.local import LocalService  # noqa: E402
from training.corpora import read_jsonl, shared_data_dir  # noqa: E402

ARTICLE_CHARS = 5000
LUA = r"""
local bodies, index, path, pause = {}, 0, "/v1/analyze", 0
function init(args)
  path = args[2]
  pause = tonumber(args[3] or "0")
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  index = math.random(#bodies)
end
function request()
  index = index % #bodies + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, bodies[index])
end
function delay() return pause end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"mean_us": %f, "errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, e.connect + e.read + e.write + e.timeout + e.status,
    e.status))
end
"""


# ------------------------------------------------------------------------------ documents
def lead_documents() -> list[dict]:
    """The topic test leads (about 1 kB each): title + text, as the CMS sends them."""
    return [{"id": r["id"], "title": r["title"], "text": r["text"]}
            for r in read_jsonl(shared_data_dir() / "topics" / "test.jsonl")]


def article_documents(per_language: int = 20) -> list[dict]:
    """About 5,000-character articles: summarisation test articles of one language joined
    paragraph by paragraph and cut at the last sentence end before ARTICLE_CHARS."""
    docs = []
    for lang in ("ru", "kk", "en"):
        records = list(read_jsonl(shared_data_dir() / "summarization" / lang / "test.jsonl"))
        built, buffer = 0, []
        for rec in records:
            buffer.append(rec["text"].strip())
            joined = "\n".join(buffer)
            if len(joined) < ARTICLE_CHARS + 500:
                continue
            text = ""
            for sentence in split_sentences(joined):
                if len(text) + len(sentence) + 1 > ARTICLE_CHARS:
                    break
                text = f"{text} {sentence}" if text else sentence
            docs.append({"id": f"{lang}-article-{built}", "title": "", "text": text})
            built, buffer = built + 1, []
            if built == per_language:
                break
    return docs


# ------------------------------------------------------------------------------ anchors
class _SentenceTokenizer:
    """sumy's tokenizer interface over our sentence splitter (no NLTK punkt data needed)."""

    language = "any"

    def to_sentences(self, paragraph: str) -> list[str]:
        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"\w+", sentence)


class Assembled:
    """What a newsroom would otherwise assemble: langdetect + natasha NER + sumy LexRank."""

    def __init__(self) -> None:
        import langdetect
        from natasha import NewsEmbedding, NewsNERTagger, Segmenter
        from sumy.summarizers.lex_rank import LexRankSummarizer

        langdetect.DetectorFactory.seed = 0
        self.langdetect = langdetect
        self.segmenter = Segmenter()
        self.ner = NewsNERTagger(NewsEmbedding())
        self.lexrank = LexRankSummarizer()
        self.tokenizer = _SentenceTokenizer()

    def analyze(self, doc: dict) -> dict:
        from natasha import Doc
        from sumy.parsers.plaintext import PlaintextParser

        text = f"{doc['title']}\n{doc['text']}" if doc["title"] else doc["text"]
        try:
            language = self.langdetect.detect_langs(text)[0].lang
        except self.langdetect.LangDetectException:
            language = "und"
        ner_doc = Doc(doc["text"])
        ner_doc.segment(self.segmenter)
        ner_doc.tag_ner(self.ner)
        places = [span.text for span in ner_doc.spans if span.type == "LOC"]
        parsed = PlaintextParser(doc["text"], self.tokenizer).document
        summary = [str(s) for s in self.lexrank(parsed, 3)]
        return {"language": language, "places": places, "summary": summary}


def docs_per_second(analyze, docs: list[dict], repeats: int) -> tuple[float, float]:
    """Median documents per wall second and per CPU second of `analyze`, one document at a time."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for doc in docs:
            analyze(doc)
        wall.append(len(docs) / (time.perf_counter() - t0))
        cpu.append(len(docs) / (time.process_time() - c0))
    return statistics.median(wall), statistics.median(cpu)


def in_process(sets: dict[str, list[dict]], repeats: int) -> dict[str, tuple[tuple, tuple]]:
    """((wall, cpu) ours, (wall, cpu) assembled) documents/s in this process, per document set."""
    from models.pipeline import Pipeline

    pipeline = Pipeline.load()
    assembled = Assembled()

    def ours(doc: dict) -> dict:
        return pipeline.analyze(doc["text"], title=doc["title"])

    out = {}
    for name, docs in sets.items():
        ours(docs[0]), assembled.analyze(docs[0])  # warm caches
        out[name] = (docs_per_second(ours, docs, repeats),
                     docs_per_second(assembled.analyze, docs, repeats))
    return out


# ------------------------------------------------------------------------------ the server
def ensure_wrk() -> str:
    """wrk from Debian; installed with apt-get when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk with apt-get", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "wrk"


class Server(LocalService):
    """`newsroom serve` with the production settings, with the CPU and memory readings the bench needs."""

    def __init__(self, workers: int, threads: int, workdir: Path) -> None:
        super().__init__(workdir, env={"NEWSROOM_WORKERS": str(workers),
                                       "NEWSROOM_THREADS": str(threads)}, ready_within=600)
        self.workers = workers

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by all workers together."""
        total = 0
        for pid in self.worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> list[float]:
        """Resident memory of each worker, MB."""
        return [_status_kb(pid, "VmRSS") / 1024 for pid in self.worker_pids()]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def run_wrk(wrk: str, server: Server, script: Path, bodies: Path, path: str, *, seconds: float,
            connections: int, pause_ms: float = 0) -> dict:
    """One wrk run; its figures as a dict (latencies in ms)."""
    argv = [wrk, "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds:g}s",
            "--timeout", "120s", "-s", str(script), server.url(path), "--", str(bodies), path,
            f"{pause_ms:g}"]
    cpu0 = server.cpu_seconds()
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - cpu0
    match = re.search(r"^WRKJSON (.*)$", out, re.M)
    if not match:
        raise SystemExit(f"wrk printed no figures:\n{out}")
    raw = json.loads(match.group(1))
    seconds_run = raw["duration_us"] / 1e6
    return {"rps": raw["requests"] / seconds_run, "requests": raw["requests"],
            "p50": raw["p50_us"] / 1000, "p95": raw["p95_us"] / 1000, "p99": raw["p99_us"] / 1000,
            "mean": raw["mean_us"] / 1000, "errors": raw["errors"],
            "per_cpu_second": raw["requests"] / cpu if cpu else 0.0}


def median_runs(runs: list[dict]) -> dict:
    """Median of each figure over runs; errors and requests are summed."""
    out = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    out["errors"] = sum(r["errors"] for r in runs)
    out["requests"] = sum(r["requests"] for r in runs)
    return out


def write_bodies(path: Path, bodies: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for body in bodies:
            fh.write(json.dumps(body, ensure_ascii=False) + "\n")
    return path


def soak(wrk: str, server: Server, script: Path, bodies: Path, seconds: int,
         connections: int) -> dict:
    """A long run on /v1/analyze; worker RSS sampled every 10 s while wrk runs."""
    argv = [wrk, "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "120s",
            "-s", str(script), server.url("/v1/analyze"), "--", str(bodies), "/v1/analyze", "0"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    samples: list[tuple[float, float]] = []
    t0 = time.perf_counter()
    while proc.poll() is None:
        samples.append((time.perf_counter() - t0, max(server.rss_mb())))
        time.sleep(10)
    out = proc.stdout.read()
    raw = json.loads(re.search(r"^WRKJSON (.*)$", out, re.M).group(1))
    tail = [rss for t, rss in samples if t >= seconds * 0.2]  # after the warm-up fifth
    slope = _slope([(t, rss) for t, rss in samples if t >= seconds * 0.2])
    return {"seconds": seconds, "requests": raw["requests"], "errors": raw["errors"],
            "rss_first": samples[0][1], "rss_after_warmup": tail[0] if tail else samples[-1][1],
            "rss_last": samples[-1][1], "slope_mb_per_min": slope * 60,
            "p99": raw["p99_us"] / 1000}


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS (MB) over time (s)."""
    if len(points) < 2:
        return 0.0
    mean_t = statistics.mean(t for t, _ in points)
    mean_r = statistics.mean(r for _, r in points)
    den = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (r - mean_r) for t, r in points) / den if den else 0.0


# ------------------------------------------------------------------------------ main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (1 = per-worker figures)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("NEWSROOM_THREADS", "4")))
    parser.add_argument("--connections", type=int, default=None,
                        help="wrk connections at peak (default: 2 per worker thread)")
    parser.add_argument("--duration", type=float, default=15, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--soak", type=int, default=0, metavar="SECONDS",
                        help="also run SECONDS of load on /v1/analyze, sampling RSS (default off)")
    parser.add_argument("--skip-anchors", action="store_true", help="skip the in-process comparison")
    args = parser.parse_args()
    connections = args.connections or 2 * args.threads * args.workers

    leads, articles = lead_documents(), article_documents()
    rows: list[tuple[str, str]] = []
    lead_chars = statistics.median(len(d["title"]) + len(d["text"]) for d in leads)
    article_chars = statistics.median(len(d["text"]) for d in articles)

    if not args.skip_anchors:
        print("timing in process: ours vs langdetect + natasha + sumy LexRank", file=sys.stderr)
        anchors = in_process({"leads": leads, "articles": articles}, args.repeats)

    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        work = Path(tmp)
        script = work / "bodies.lua"
        script.write_text(LUA, encoding="utf-8")
        lead_bodies = write_bodies(work / "leads.jsonl", leads)
        article_bodies = write_bodies(work / "articles.jsonl", articles)
        batches = [{"documents": leads[i:i + args.batch]}
                   for i in range(0, len(leads) - args.batch + 1, args.batch)]
        batch_bodies = write_bodies(work / "batches.jsonl", batches)

        print("starting gunicorn", file=sys.stderr)
        server = Server(args.workers, args.threads, work)
        try:
            rss_idle = server.rss_mb()
            scenarios: dict[str, dict] = {}

            def scenario(name, bodies, path, conns, pause_ms=0.0):
                print(f"wrk: {name}", file=sys.stderr)
                run_wrk(wrk, server, script, bodies, path, seconds=3, connections=conns,
                        pause_ms=pause_ms)  # warm-up
                runs = [run_wrk(wrk, server, script, bodies, path, seconds=args.duration,
                                connections=conns, pause_ms=pause_ms) for _ in range(args.repeats)]
                result = median_runs(runs)
                result["rss"] = server.rss_mb()
                scenarios[name] = result
                return result

            scenario("leads", lead_bodies, "/v1/analyze", connections)
            peak5 = scenario("articles", article_bodies, "/v1/analyze", connections)
            # Half of peak: each connection pauses so that together they offer rps/2.
            # n connections each waiting `pause` after a reply offer n / (service time + pause).
            half_conns = max(1, args.threads * args.workers)
            pause = max(0.0, (2 * half_conns - args.workers) / peak5["rps"] * 1000)
            half = scenario("articles_half", article_bodies, "/v1/analyze", half_conns, pause)
            scenario("batch", batch_bodies, "/v1/analyze/batch", max(2, args.workers * 2))
            soaked = soak(wrk, server, script, lead_bodies, args.soak, connections) if args.soak else None
        finally:
            rss_end = server.rss_mb() if server.proc.poll() is None else []
            server.stop()
        log = server.log.read_text(errors="replace")
        tracebacks = log.count("Traceback")
        five_xx = len(re.findall(r'" 5\d\d ', log))

    w = args.workers
    per = "per worker" if w == 1 else f"{w} workers"
    leads_r, art, batch_r = scenarios["leads"], scenarios["articles"], scenarios["batch"]

    def rate(result: dict, docs_per_request: int = 1) -> str:
        """Documents per wall second, and per CPU second of the worker(s)."""
        return (f"{result['rps'] * docs_per_request:.1f} (per worker CPU-second: "
                f"{result['per_cpu_second'] * docs_per_request:.1f})")

    rows += [
        ("cold start to /v1/ready (gunicorn --preload, models loaded)", f"{server.cold_start:.1f} s"),
        (f"/v1/analyze, 1 kB leads (n={len(leads)}, median {lead_chars:.0f} chars): documents/s {per}",
         rate(leads_r)),
        ("  latency p50 / p95 / p99", f"{leads_r['p50']:.0f} / {leads_r['p95']:.0f} / {leads_r['p99']:.0f} ms"),
        (f"/v1/analyze, 5 kB articles (n={len(articles)}, median {article_chars:.0f} chars): documents/s {per}",
         rate(art)),
        ("  latency p50 / p95 / p99 at peak", f"{art['p50']:.0f} / {art['p95']:.0f} / {art['p99']:.0f} ms"),
        (f"  at half of peak ({half['rps']:.1f} requests/s offered and served)",
         f"p50 {half['p50']:.0f} / p95 {half['p95']:.0f} / p99 {half['p99']:.0f} ms"),
        (f"/v1/analyze/batch of {args.batch} leads: documents/s {per}", rate(batch_r, args.batch)),
        ("  latency p50 / p95 / p99 per batch", f"{batch_r['p50']:.0f} / {batch_r['p95']:.0f} / {batch_r['p99']:.0f} ms"),
        ("errors (wrk: connect/read/write/timeout/non-2xx) over every run",
         f"{sum(s['errors'] for s in scenarios.values())} of {sum(s['requests'] for s in scenarios.values())} requests"),
        ("5xx in the access log / tracebacks in the server log", f"{five_xx} / {tracebacks}"),
        ("RSS per worker: idle after start → after all load",
         " ; ".join(f"{a:.0f} → {b:.0f} MB" for a, b in zip(rss_idle, rss_end or rss_idle))),
    ]
    if not args.skip_anchors:
        for name, label, http in (("leads", "1 kB leads", leads_r), ("articles", "5 kB articles", art)):
            (ours_wall, ours_cpu), (their_wall, their_cpu) = anchors[name]
            rows += [
                (f"in process, {label}: ours (all five parts), documents/s (per CPU-second)",
                 f"{ours_wall:.1f} ({ours_cpu:.1f})"),
                (f"in process, {label}: langdetect + natasha NER + sumy LexRank, documents/s (per CPU-second)",
                 f"{their_wall:.1f} ({their_cpu:.1f})"),
                ("  ratio ours / assembled: in process wall; in process CPU; HTTP per worker CPU-second",
                 f"{ours_wall / their_wall:.2f}; {ours_cpu / their_cpu:.2f}; "
                 f"{http['per_cpu_second'] / their_cpu:.2f}"),
            ]
    if soaked:
        rows += [
            (f"soak: {soaked['seconds']} s on /v1/analyze (1 kB leads), requests / errors",
             f"{soaked['requests']} / {soaked['errors']}"),
            ("  max worker RSS: first sample → after warm-up → last; slope after warm-up",
             f"{soaked['rss_first']:.0f} → {soaked['rss_after_warmup']:.0f} → {soaked['rss_last']:.0f} MB; "
             f"{soaked['slope_mb_per_min']:+.2f} MB/min"),
            ("  p99 latency over the soak", f"{soaked['p99']:.0f} ms"),
        ]

    load = os.getloadavg()
    print(f"| measure ({w} worker(s) × {args.threads} threads, wrk {connections} connections, "
          f"{args.duration:g} s × {args.repeats} runs, medians; load average at end {load[0]:.1f}) | value |")
    print("|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
