"""The place gazetteer: GeoNames places plus our alias table, looked up by folded name keys.

A key is the folded name's words joined by one space (`name_key`). The artefact maps every key,
including the Russian case forms generated at build time, to the places it names; Kazakh case and
possessive suffixes are stripped at look-up time (`kk_stems`), because Kazakh stacks them freely.
Everything here is dict look-ups, so matching costs microseconds per token.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pickle

from models.artefacts import read_manifest
from models.errors import ArtefactError
from models.tokens import WORD_RE
from models.normalize import fold

NAME = "places"
GAZETTEER_FILE = "gazetteer.joblib"
PLACE_TYPES: tuple[str, ...] = ("country", "region", "district", "city", "village", "other")

# Kazakh case, possessive and derivational endings a place name may carry, as one table of
# stackable layers (outermost first when stripping). Built into a flat list, longest first.
_KK_CASE = ("да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен", "нан", "нен",
            "ндан", "нден", "ға", "ге", "қа", "ке", "на", "не", "а", "е", "ның", "нің", "дың",
            "дің", "тың", "тің", "ны", "ні", "ды", "ді", "ты", "ті", "н", "мен", "бен", "пен",
            "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі", "нан", "нен")
_KK_POSS = ("ы", "і", "сы", "сі")
_KK_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")


def _kk_suffixes() -> list[str]:
    """Every Kazakh ending (case, possessive+case, plural+possessive+case) we strip."""
    out = set(_KK_CASE) | set(_KK_POSS)
    for poss in _KK_POSS:
        for case in _KK_CASE:
            if case[0] == "н" or case in ("мен", "бен", "пен"):
                out.add(poss + case)
    for plural in _KK_PLURAL:
        out.add(plural)
        for case in _KK_CASE:
            out.add(plural + case)
        for poss in ("ы", "і"):
            out.add(plural + poss)
            for case in _KK_CASE:
                if case[0] == "н":
                    out.add(plural + poss + case)
    return sorted(out, key=len, reverse=True)


KK_SUFFIXES: list[str] = _kk_suffixes()
# Final consonants that voice before a vowel-initial ending (Тоқмақ → Тоқмағы).
_KK_DEVOICE = {"ғ": "қ", "г": "к", "б": "п"}
# Kazakh letters → the Russian letters the same names are spelt with in Russian (Қара-Суу →
# Кара-Суу, Қонаев → Конаев): Kazakh text writes places of the region the gazetteer only has
# in Russian spelling.
KK_TO_RU = str.maketrans("әғқңөұүһі", "агкноуухи")
# English possessive endings that the tokeniser keeps inside the word.
EN_POSSESSIVE = ("'s", "'")


def name_key(name: str) -> str:
    """The look-up key of a name: folded words joined by single spaces."""
    return " ".join(m.group(0) for m in WORD_RE.finditer(fold(name)))


def first_words(keys) -> dict[str, int]:
    """First word of every key → the most words a key starting with it has."""
    out: dict[str, int] = {}
    for key in keys:
        first, _, rest = key.partition(" ")
        n = 1 + rest.count(" ") + (1 if rest else 0)
        if n > out.get(first, 0):
            out[first] = n
    return out


def kk_stems(word: str, min_stem: int = 3) -> list[tuple[str, int]]:
    """Candidate stems of a folded Kazakh word with the length of the ending removed."""
    out: list[tuple[str, int]] = []
    seen = {word}
    for suffix in KK_SUFFIXES:
        if len(word) - len(suffix) >= min_stem and word.endswith(suffix):
            stem = word[: -len(suffix)]
            for cand in (stem, stem[:-1] + _KK_DEVOICE.get(stem[-1], stem[-1])):
                if cand not in seen:
                    seen.add(cand)
                    out.append((cand, len(suffix)))
    return out


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a GeoNames place (or an alias-table place with no GeoNames id)."""

    index: int
    geonameid: int | None
    name: str
    type: str
    country: str | None
    lat: float | None
    lon: float | None
    population: int
    admin1: str | None


class Gazetteer:
    """Places and the key → places index built by training/places.py."""

    def __init__(self, places: list[Place], keys: dict[str, int | tuple[int, ...]],
                 max_words: int,
                 manifest: dict, type_words: dict[str, dict[str, str]],
                 demonyms: dict[str, int], common_words: frozenset = frozenset(),
                 alias_keys: frozenset = frozenset(),
                 alias_pairs: dict[str, list[int]] | None = None) -> None:
        self.places = places
        self.keys = keys
        self.max_words = max_words
        self.manifest = manifest
        self.type_words = type_words
        self.demonyms = demonyms
        self.common_words = common_words
        self.alias_keys = alias_keys
        self.alias_pairs = {k: frozenset(v) for k, v in (alias_pairs or {}).items()}
        self.by_geonameid = {p.geonameid: p for p in places if p.geonameid is not None}
        self.country_place = {p.country: p for p in places if p.type == "country"}
        self.first_words: dict[str, int] = {}  # first word of a key → most words in such a key
        self.first_names: frozenset = frozenset()  # folded first names: a place after one is a surname
        self.cue_keys: dict[str, tuple[int, ...]] = {}  # ordinary words, places only with a type word
        self.kk_words: frozenset = frozenset()  # of those, Russian non-name words: towns in Kazakh text

    @classmethod
    def load(cls, root: Path) -> "Gazetteer":
        """Verify and load the gazetteer artefact from root/places."""
        folder = Path(root) / NAME
        manifest = read_manifest(folder, root=Path(root))  # every hash checked before unpickling
        if GAZETTEER_FILE not in manifest["files"]:
            raise ArtefactError(f"artefact {NAME}: {GAZETTEER_FILE} is not in its manifest")
        try:
            # Written by joblib.dump (a plain pickle); read with pickle itself, which is 4x faster
            # than joblib.load on this large dict of str keys (no numpy arrays inside).
            with open(folder / GAZETTEER_FILE, "rb") as fh:
                data = pickle.load(fh)
            places = [Place(i, *row) for i, row in enumerate(data["places"])]
            gaz = cls(places, data["keys"], int(data["max_words"]), manifest,
                      data["type_words"], data.get("demonyms", {}),
                      frozenset(data.get("common_words", ())),
                      frozenset(data.get("alias_keys", ())), data.get("alias_pairs", {}))
            gaz.first_words = data["first_words"]
            gaz.first_names = frozenset(data.get("first_names", ()))
            gaz.cue_keys = {k: tuple(v) for k, v in data.get("cue_keys", {}).items()}
            gaz.kk_words = frozenset(data.get("kk_words", ()))
            return gaz
        except (KeyError, TypeError, ValueError, EOFError, pickle.UnpicklingError) as exc:
            raise ArtefactError(f"artefact {NAME}: {GAZETTEER_FILE} is malformed ({exc})") from exc

    def is_alias(self, key: str, place: Place) -> bool:
        """True when our alias table names `place` by `key` (a curated, preferred reading)."""
        return place.index in self.alias_pairs.get(key, ())

    def lookup(self, key: str) -> list[Place]:
        """Places named exactly by `key` (already folded and space-joined)."""
        found = self.keys.get(key)
        if found is None:
            return []
        if isinstance(found, int):  # one place: stored bare to keep the artefact fast to load
            return [self.places[found]]
        return [self.places[i] for i in found]

    def lookup_cued(self, key: str) -> list[Place]:
        """Places named by `key` when a type word stands beside it: also the names dropped
        from the index as ordinary words («Кант қаласы», «город Рудный»)."""
        return self.lookup(key) or [self.places[i] for i in self.cue_keys.get(key, ())]

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def __len__(self) -> int:
        return len(self.places)
