"""The one console script, `newsroom`: one verb per job, the same flags meaning the same thing.

    newsroom serve                       start the HTTP service under gunicorn
    newsroom analyze [FILE ...]          JSONL or text files (or stdin) in, JSONL out, input order
    newsroom train MODEL|all [--missing] build artefacts (training.<model>)
    newsroom evaluate MODEL              measure an artefact on held-out data
    newsroom promote MODEL VERSION       make a trained candidate the serving model
    newsroom rollback MODEL              go back to the previous serving model
    newsroom token create|revoke|list    bearer tokens for the write endpoints
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from models.artefacts import models_dir
from models.errors import NewsroomError

MODELS = ("language", "topics", "places", "ner", "counts", "summary")
VERBS = ("train", "evaluate", "promote", "rollback")


def _training_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"training.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"training.{name}":
            return None
        raise


def _common(parser: argparse.ArgumentParser, verb: str) -> None:
    default_models = str(models_dir())
    if verb == "train":
        parser.add_argument("--out", type=Path, default=Path(default_models),
                            help="models directory to write the artefact into")
    parser.add_argument("--models", type=Path, default=Path(default_models),
                        help="models directory to read artefacts from")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="shared evaluation data (default: NEWSROOM_SHARED_DATA or ../shared/data)")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")


def _add_model_verbs(sub: argparse._SubParsersAction) -> dict[str, ModuleType]:
    modules = {name: mod for name in MODELS if (mod := _training_module(name)) is not None}
    for verb in VERBS:
        verb_parser = sub.add_parser(verb, help=f"{verb} a model")
        model_sub = verb_parser.add_subparsers(dest="model", required=True, metavar="MODEL")
        if verb == "train":
            all_parser = model_sub.add_parser("all", help="train every model")
            _common(all_parser, verb)
            all_parser.add_argument("--missing", action="store_true",
                                    help="only models whose artefact is missing")
        for name, mod in modules.items():
            if not hasattr(mod, verb):
                continue
            p = model_sub.add_parser(name, help=(mod.__doc__ or name).strip().splitlines()[0])
            _common(p, verb)
            configure = getattr(mod, f"configure_{verb}", None)
            if configure:
                configure(p)
            if verb == "train" and name == "topics":
                p.add_argument("--from-store", action="store_true",
                               help="add the editors' corrections from the store (DATABASE_URL)")
    return modules


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    """The argument parser with every verb and every model's own flags."""
    parser = argparse.ArgumentParser(prog="newsroom", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="verb", required=True)

    serve = sub.add_parser("serve", help="start the HTTP service under gunicorn")
    serve.add_argument("--host", default=os.environ.get("NEWSROOM_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("NEWSROOM_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("NEWSROOM_WORKERS", "2")))
    serve.add_argument("--threads", type=int, default=int(os.environ.get("NEWSROOM_THREADS", "4")),
                       help="threads per worker (gthread): requests read while another is analysed")

    analyze = sub.add_parser("analyze", help="analyse JSONL or text files; JSONL out")
    analyze.add_argument("files", nargs="*", type=Path, help="*.jsonl (one document per line) or text files; stdin if none")
    analyze.add_argument("--parts", default=None, help="comma-separated parts (default: all)")
    analyze.add_argument("--lang", default=None, help="skip detection and use this language")
    analyze.add_argument("--models", type=Path, default=None, help="models directory")
    analyze.add_argument("--output", "-o", type=Path, default=None, help="write here instead of stdout")

    token = sub.add_parser("token", help="bearer tokens for the write endpoints")
    token_sub = token.add_subparsers(dest="action", required=True)
    create = token_sub.add_parser("create", help="create a token and print it once")
    create.add_argument("name", help="who the token is for (an editor or a system)")
    create.add_argument("--scope", action="append", default=None,
                        help="write or read (repeatable; default: write and read)")
    revoke = token_sub.add_parser("revoke", help="revoke a token by its name or id")
    revoke.add_argument("name")
    token_sub.add_parser("list", help="list tokens (never their secrets)")

    modules = _add_model_verbs(sub)
    return parser, modules


def _serve(args: argparse.Namespace) -> int:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if not gunicorn:
        raise NewsroomError("gunicorn is not installed in this environment", code="gunicorn_missing")
    # gthread: a slow client ties up one thread while reading its body, not the whole worker.
    argv = [gunicorn, "--bind", f"{args.host}:{args.port}", "--workers", str(args.workers),
            "--worker-class", "gthread", "--threads", str(args.threads),
            "--timeout", os.environ.get("NEWSROOM_TIMEOUT", "120"), "--preload",
            "--no-control-socket",
            "--access-logfile", "-", "service:create_app()"]
    os.execv(gunicorn, argv)
    return 0  # not reached


def _analyze(args: argparse.Namespace) -> int:
    from models.pipeline import Document, Pipeline, check_parts
    from service.inputs import iter_input_documents

    pipeline = Pipeline.load(args.models)
    parts = sorted(check_parts(args.parts.split(",") if args.parts else None))
    versions = pipeline.versions()
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout

    def flush(chunk: list[dict]) -> None:
        good = [d for d in chunk if "error" not in d]
        analysed = iter(pipeline.analyze_many(
            [Document(d["text"], d.get("title") or "", args.lang or _known_lang(d.get("lang")))
             for d in good], parts=parts)) if good else iter(())
        for doc in chunk:
            if "error" in doc:
                row = doc
            else:
                result = next(analysed)
                result.pop("timing_ms", None)
                row = {"id": doc["id"], **result, "models": versions}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")

    try:
        chunk: list[dict] = []
        for doc in iter_input_documents(args.files, progress=bool(args.files)):
            chunk.append(doc)
            if len(chunk) >= 64:
                flush(chunk)
                chunk = []
        flush(chunk)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _known_lang(lang: object) -> str | None:
    from models.pipeline import LANGUAGES

    return lang if lang in LANGUAGES else None


def _train(args: argparse.Namespace, modules: dict[str, ModuleType]) -> int:
    if args.model == "all":
        status = 0
        for name, mod in modules.items():
            if not hasattr(mod, "train"):
                continue
            if args.missing and (Path(args.out) / name).is_dir():
                continue
            sub_args = build_parser()[0].parse_args(["train", name, "--out", str(args.out),
                                                     "--models", str(args.models), "--seed", str(args.seed)]
                                                    + (["--data-dir", str(args.data_dir)] if args.data_dir else []))
            print(f"== training {name}", file=sys.stderr)
            status = status or modules[name].train(sub_args)
        return status
    if getattr(args, "from_store", False):
        return _train_from_store(args, modules["topics"])
    return modules[args.model].train(args)


def _train_from_store(args: argparse.Namespace, topics: ModuleType) -> int:
    """Write the editors' corrected documents to a corpus file and train topics with it added."""
    from service import store as store_module

    records = store_module.training_records(os.environ.get("DATABASE_URL"))
    print(f"{len(records)} corrected documents from the store", file=sys.stderr)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        path = Path(fh.name)
    try:
        # added to the base corpus (the --corpus files, else the default corpora), not instead of it
        args.add_corpus = list(getattr(args, "add_corpus", None) or []) + [path]
        return topics.train(args)
    finally:
        path.unlink(missing_ok=True)


def _token(args: argparse.Namespace) -> int:
    from service import auth

    return auth.cli(args)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `newsroom` console script."""
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "data_dir", None):
        os.environ["NEWSROOM_SHARED_DATA"] = str(args.data_dir)
    try:
        if args.verb == "serve":
            return _serve(args)
        if args.verb == "analyze":
            return _analyze(args)
        if args.verb == "token":
            return _token(args)
        if args.verb == "train":
            return _train(args, modules)
        return getattr(modules[args.model], args.verb)(args)
    except NewsroomError as exc:
        print(f"error ({exc.code}): {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
