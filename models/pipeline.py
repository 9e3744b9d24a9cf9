"""Runs the parts a request asks for, once per document, over the loaded models.

The pipeline is the only place that knows the order of the parts: language first (the other
parts need it), then topics, places and counts, then the summary, which uses places and counts.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from models.artefacts import models_dir
from models.counts import CountExtractor
from models.errors import InputError
from models.language import LanguageDetector
from models.normalize import clean
from models.places import PlaceExtractor
from models.summary import Summarizer
from models.topics import TopicTagger

PARTS: tuple[str, ...] = ("language", "topics", "places", "counts", "summary")
LANGUAGES: tuple[str, ...] = ("ru", "kk", "en")
DEFAULT_SUMMARY_SENTENCES = 3
# Language detection vectorises a whole batch at once (memory grows with its length): a batch
# of up to 8 MiB is detected in groups of this many characters, which keeps a worker's peak low.
LANGUAGE_CHUNK_CHARS = 400_000


@dataclass
class Pipeline:
    """The loaded models, and the one way to run them over a document."""

    language: LanguageDetector
    topics: TopicTagger
    places: PlaceExtractor
    counts: CountExtractor
    summary: Summarizer

    @classmethod
    def load(cls, root: Path | None = None) -> "Pipeline":
        """Load and verify every model from the models directory (NEWSROOM_MODELS_DIR)."""
        root = Path(root) if root is not None else models_dir()
        return cls(
            language=LanguageDetector.load(root),
            topics=TopicTagger.load(root),
            places=PlaceExtractor.load(root),
            counts=CountExtractor.load(root),
            summary=Summarizer.load(root),
        )

    def reloaded(self, artefacts: set[str], root: Path | None = None) -> "Pipeline":
        """A new pipeline that shares the unchanged models and reloads those whose artefacts changed."""
        root = Path(root) if root is not None else models_dir()
        owners = {"language": "language", "topics": "topics", "places": "places", "ner": "places",
                  "counts": "counts", "summary": "summary"}
        parts = {owners.get(name) for name in artefacts}
        if None in parts:  # an artefact we cannot attribute: reload everything
            return Pipeline.load(root)
        classes = {"language": LanguageDetector, "topics": TopicTagger, "places": PlaceExtractor,
                   "counts": CountExtractor, "summary": Summarizer}
        return replace(self, **{part: classes[part].load(root) for part in parts})

    def _models(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PARTS}

    def versions(self) -> dict[str, str]:
        """Each model's version, as every response reports it."""
        return {name: model.version for name, model in self._models().items()}

    def info(self) -> dict[str, dict]:
        """Each model's version, training-data fingerprint and headline metrics."""
        return {name: model.info() for name, model in self._models().items()}

    def analyze(self, text: str, *, title: str | None = None, lang: str | None = None,
                parts: Iterable[str] | None = None,
                summary_sentences: int = DEFAULT_SUMMARY_SENTENCES,
                summary_chars: int | None = None) -> dict[str, Any]:
        """Analyse one document; returns the requested parts plus `timing_ms` per part."""
        doc = Document(text, title or "", lang, summary_sentences, summary_chars)
        return self.analyze_many([doc], parts=parts)[0]

    def analyze_many(self, docs: list["Document"], *,
                     parts: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Analyse documents together: language and topics run as one batch, the rest per document."""
        wanted = check_parts(parts)
        texts = [clean(d.text) for d in docs]
        titles = [clean(d.title) if d.title else "" for d in docs]
        timing = [dict() for _ in docs]

        t0 = time.perf_counter()
        todo = [i for i, d in enumerate(docs) if d.lang is None]
        detected = [result for chunk in _chunks(
            [f"{titles[i]}\n{texts[i]}" if titles[i] else texts[i] for i in todo])
            for result in self.language.detect_many(chunk)]
        languages: list[dict] = [{"code": d.lang, "score": 1.0, "parts": []} for d in docs]
        for i, result in zip(todo, detected):
            languages[i] = _spans_into_text(result, len(titles[i]) + 1 if titles[i] else 0,
                                            len(texts[i]))
        work_langs = [lg["code"] if lg["code"] in LANGUAGES else _fallback_language(texts[i])
                      for i, lg in enumerate(languages)]
        _share(timing, "language", t0)

        topics: list[list[dict]] = []
        suggestions: list[list[dict]] = []
        if "topics" in wanted:
            t0 = time.perf_counter()
            topics, suggestions = self.topics.tags_and_suggestions([
                {"text": texts[i], "title": titles[i], "lang": work_langs[i]} for i in range(len(docs))])
            _share(timing, "topics", t0)

        results = []
        for i, doc in enumerate(docs):
            out: dict[str, Any] = {}
            if "language" in wanted:
                out["language"] = languages[i]
            if "topics" in wanted:
                out["topics"] = topics[i]
                out["topic_suggestions"] = suggestions[i]
            places = counts = None
            if wanted & {"places", "summary"}:
                t0 = time.perf_counter()
                places = self.places.extract(texts[i], lang=work_langs[i])
                timing[i]["places"] = (time.perf_counter() - t0) * 1000
                if "places" in wanted:
                    out["places"] = places
            if wanted & {"counts", "summary"}:
                t0 = time.perf_counter()
                counts = self.counts.extract(texts[i], lang=work_langs[i])
                timing[i]["counts"] = (time.perf_counter() - t0) * 1000
                if "counts" in wanted:
                    out["counts"] = counts
            if "summary" in wanted:
                t0 = time.perf_counter()
                out["summary"] = self.summary.summarize(
                    texts[i], lang=work_langs[i], title=titles[i], sentences=doc.summary_sentences,
                    max_chars=doc.summary_chars, places=places, counts=counts)
                timing[i]["summary"] = (time.perf_counter() - t0) * 1000
            out["timing_ms"] = {k: round(v, 3) for k, v in timing[i].items()}
            results.append(out)
        return results


@dataclass
class Document:
    """One document to analyse, as the pipeline needs it."""

    text: str
    title: str = ""
    lang: str | None = None
    summary_sentences: int = DEFAULT_SUMMARY_SENTENCES
    summary_chars: int | None = None


def check_parts(parts: Iterable[str] | None) -> set[str]:
    """The set of parts to run; unknown names are the caller's mistake."""
    wanted = set(PARTS if parts is None else parts)
    unknown = wanted - set(PARTS)
    if unknown:
        raise InputError(f"unknown parts: {', '.join(sorted(unknown))}; known: {', '.join(PARTS)}",
                         code="unknown_parts")
    return wanted


def _share(timing: list[dict], part: str, t0: float) -> None:
    """Spread a batch step's time evenly over its documents."""
    elapsed = (time.perf_counter() - t0) * 1000 / max(1, len(timing))
    for entry in timing:
        entry[part] = elapsed


def _chunks(texts: list[str], max_chars: int | None = None) -> list[list[str]]:
    """Consecutive groups of texts of at most `max_chars` in all (a longer text is alone)."""
    max_chars = LANGUAGE_CHUNK_CHARS if max_chars is None else max_chars
    chunks: list[list[str]] = []
    size = 0
    for text in texts:
        if not chunks or size + len(text) > max_chars:
            chunks.append([])
            size = 0
        chunks[-1].append(text)
        size += len(text)
    return chunks


def _spans_into_text(result: dict, offset: int, length: int) -> dict:
    """Language parts were found on "title\ntext": report their spans into the text alone."""
    if not offset:
        return result
    parts = []
    for part in result.get("parts", []):
        start, end = part["span"]
        start, end = max(start - offset, 0), min(end - offset, length)
        if start < end:
            parts.append({**part, "span": [start, end]})
    return {**result, "parts": parts}


def _fallback_language(text: str) -> str:
    """ru for Cyrillic-majority text, en otherwise: which resources to use for other languages."""
    cyr = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    lat = sum(1 for ch in text if "a" <= ch.lower() <= "z")
    return "ru" if cyr > lat else "en"
