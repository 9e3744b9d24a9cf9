"""Place names: find mentions with the gazetteer (plus the statistical recogniser) and resolve them.

Matching: capitalised word n-grams are looked up by folded key (Russian case forms are keys;
Kazakh endings are stripped from the last word); a following type word («облысы») joins the span
where the corpora's convention puts it there; context rules reject names of people, organisations
and sports teams. When the recogniser (models/ner.py) is installed its spans are arbitrated with
the gazetteer's per language (ARBITRATION) and spans it alone finds are looked up the same way or
kept unresolved. Resolution scores each candidate place: the newsroom's region, our alias table,
type cues, countries and regions mentioned in the same text, population, and a preference for a
town over a same-named unit.
"""
from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.errors import InputError
from models.gazetteer import Gazetteer, Place, first_words, kk_stems, name_key
from models.normalize import fold
from models.tokens import Token, tokenize

# Per-language place-type words (folded): a cue for resolution, and part of the span when the
# corpora include them (Russian and Kazakh after the name, as in «Жамбылской области»).
TYPE_WORDS: dict[str, dict[str, str]] = {
    "ru": {
        **dict.fromkeys(["область", "области", "областью", "областях", "обл"], "region"),
        **dict.fromkeys(["край", "края", "краю", "крае", "краем"], "region"),
        **dict.fromkeys(["район", "района", "районе", "району", "районом", "районы", "районов",
                         "р-н", "р-на", "р-не"], "district"),
        **dict.fromkeys(["город", "города", "городе", "городу", "городом", "г", "городов",
                         "городах"], "city"),
        **dict.fromkeys(["село", "села", "селе", "селу", "селом", "поселок", "поселка",
                         "поселке", "пос", "аул", "аула", "ауле", "деревня", "деревни",
                         "деревне", "кишлак", "кишлака", "кишлаке"], "village"),
    },
    "kk": {
        "облысы": "region", "облыс": "region", "облыстары": "region", "өңірі": "region",
        "ауданы": "district", "аудан": "district", "аудандары": "district",
        "қаласы": "city", "қала": "city", "қалалары": "city",
        "ауылы": "village", "ауыл": "village", "кенті": "village", "елді": "village",
    },
    "en": {
        **dict.fromkeys(["region", "regions", "province", "provinces", "oblast", "oblasts"],
                        "region"),
        **dict.fromkeys(["district", "districts", "rayon", "raion"], "district"),
        **dict.fromkeys(["city", "cities", "town", "towns"], "city"),
        **dict.fromkeys(["village", "villages", "settlement", "aul"], "village"),
    },
}
# Russian geographic nouns (lemmas): with a capitalised adjective before them («Тверской площади»,
# «Химкинского леса») or a capitalised name after them («реки Славянки», «мысе Канаверал») they
# make a place the gazetteer may lack; factRuEval spans include the noun (decided on its dev split).
RU_GEO_NOUNS: dict[str, str] = {
    **dict.fromkeys(["площадь", "улица", "бульвар", "проспект", "переулок", "шоссе",
                     "набережная", "лес", "парк", "море", "озеро", "залив", "остров",
                     "полуостров", "гора", "хребет", "река", "мыс", "пролив", "канал",
                     "пустыня", "долина", "океан", "архипелаг", "кладбище", "вокзал"], "other"),
    **dict.fromkeys(["область", "край", "округ", "штат", "провинция", "республика"], "region"),
    **dict.fromkeys(["район"], "district"),
    **dict.fromkeys(["город"], "city"),
    **dict.fromkeys(["посёлок", "село", "деревня", "станица", "аул", "кишлак"], "village"),
}
# Nouns after which a capitalised name is taken with the noun («реки Славянки», «штата Аризона»).
RU_GEO_BEFORE = frozenset(["река", "озеро", "остров", "мыс", "гора", "площадь", "улица",
                           "проспект", "бульвар", "залив", "пролив", "полуостров"])

# Whether a type word after the name belongs to the span (corpus conventions, decided on dev).
TYPE_IN_SPAN: dict[str, tuple[str, ...]] = {"ru": (), "kk": ("region",), "en": ()}
# Context rules (decided on dev splits): a capitalised neighbour that is not itself a place or a
# type word means the match is part of a person's or organisation's name («Наото Кан», "New York
# Yankees", «Қазақстан Халқы Ассамблеясы»).
# Russian corpora nest places inside organisation names («Банк России» holds a place), so in
# Russian only a person-like left neighbour («Наото Кан», «Иоанн Грозный») rejects a match.
# "pair": two adjacent one-word matches in English are a person's name ("Adam Bevan").
NEIGHBOUR_RULES: dict[str, dict[str, bool]] = {
    "ru": {"left": False, "right": False, "person_left": True, "pair": False, "score": False,
           "right_weak": False},
    "kk": {"left": False, "right": True, "person_left": False, "pair": False, "score": False},
    "en": {"left": True, "right": False, "person_left": False, "pair": True, "score": True,
           "right_weak": True},
}
# The newsroom's region first, then the countries its stories are about.
FOCUS = {"KZ": 2.5, "KG": 2.5, "TJ": 2.5, "UZ": 2.0, "TM": 2.0, "AF": 2.0,
         "RU": 1.5, "SY": 1.5, "IQ": 1.5, "TR": 1.5}
KIND_PRIOR = {"country": 6.0, "other": 3.0, "region": 1.0, "district": 0.0, "city": 0.8,
              "village": 0.0}
POPULATED = ("city", "village")
# How gazetteer matches and recogniser spans combine, per language (decided on dev splits):
# drop_unconfirmed drops a weak match (a small town's name with no cue) the recogniser does not
# also find.
ARBITRATION: dict[str, dict[str, bool]] = {
    # kk: the CRF (trained on KazNERD with a place lexicon) alone scores best on its held-out
    # tenth (0.944 vs 0.850 for the union), so for spans its word wins; extract() still keeps
    # strong gazetteer matches (aliases, cues, countries, regions, towns of the region) that it
    # misses (0.902 on the same tenth): places inside organisation names, which KazNERD leaves
    # untagged, but also «Тоқмақ», «Бағдат».
    "kk": {"drop_unconfirmed": True, "add_unmatched": True, "ner_bounds": True,
           "drop_all_unconfirmed": True, "keep_strong": True, "keep_strong_spans": False},
    # ru (NEREL dev, held out from the CRF): its spans with the gazetteer's bounds score best
    # (0.834, vs 0.818 for the union minus weak unconfirmed matches, 0.802 for the union);
    # extract() keeps strong gazetteer matches too (0.828 as spans).
    "ru": {"drop_unconfirmed": True, "add_unmatched": True, "ner_bounds": False,
           "drop_all_unconfirmed": True, "keep_strong": True, "keep_strong_spans": False},
    # en: the recogniser is a lexicon without CoNLL training; it only vets weak matches.
    "en": {"drop_unconfirmed": True, "add_unmatched": False, "ner_bounds": False,
           "drop_all_unconfirmed": False},
}
WEAK_POPULATION = 100_000
FOCUS_STRONG = ("KZ", "KG", "TJ", "UZ", "TM", "AF")
_CUE_FIT = {"region": ("region",), "district": ("district",), "city": ("city", "village"),
            "village": ("village", "city")}


@dataclass
class Mention:
    """One matched place mention: its span, the key it matched and its candidates."""

    start: int
    end: int
    surface: str
    key: str
    candidates: list[Place]
    cue: str | None = None
    demonym: bool = False
    place: Place | None = None
    extra: dict = field(default_factory=dict)


def _joined(text: str, toks: list[Token], i: int, n: int) -> bool:
    """Tokens i..i+n-1 are separated by single spaces only (punctuation breaks a name)."""
    for a, b in zip(toks[i:i + n - 1], toks[i + 1:i + n]):
        if b.start - a.end != 1:
            return False
        sep = text[a.end]
        if not (sep.isspace() or (sep == "." and len(a.text) == 1 and len(b.text) == 1)):
            return False
    return True


@lru_cache(maxsize=1)
def _morph():
    """pymorphy3's Russian analyser, loaded on first use (only the person test needs it)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=50_000)
def _ru_parse(norm: str) -> tuple[str, str | None, str | None]:
    """(lemma, part of speech, case) of a Russian word's likeliest reading."""
    p = _morph().parse(norm)[0]
    return p.normal_form, p.tag.POS, p.tag.case


@lru_cache(maxsize=1)
def _ru_geo_forms() -> dict[str, str]:
    """Every case form (folded) of the Russian geographic nouns → its lemma."""
    out: dict[str, str] = {}
    for lemma in RU_GEO_NOUNS:
        for p in _morph().parse(lemma):
            if p.normal_form == lemma and p.tag.POS == "NOUN":
                for form in p.lexeme:
                    out.setdefault(fold(form.word), lemma)
                break
    return out


@lru_cache(maxsize=50_000)
def _person_like(norm: str) -> bool:
    """A Russian word that is a first name, patronymic or surname, or not in the dictionary."""
    if not norm.isalpha():
        return False
    parses = _morph().parse(norm)
    if not any(p.is_known for p in parses):
        return True
    return sum(p.score for p in parses
               if "Name" in p.tag or "Surn" in p.tag or "Patr" in p.tag) >= 0.3


@lru_cache(maxsize=100_000)
def _primary_key(name: str) -> str:
    return name_key(name)


def _sentence_start(text: str, toks: list[Token], i: int) -> bool:
    """Token i opens a sentence (first token, or after . ! ? « or a line break)."""
    if i == 0:
        return True
    gap = text[toks[i - 1].end:toks[i].start]
    return any(ch in gap for ch in ".!?\n«\"(:;—–-")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def _recogniser(root: Path):
    """The statistical recogniser from models/ner.py when it and its artefact exist, else None."""
    try:
        from models.ner import PlaceRecognizer  # written by the NER helper
    except ImportError:
        return None
    if not (Path(root) / "ner" / "manifest.json").is_file():
        return None
    return PlaceRecognizer.load(root)


class PlaceExtractor:
    """Finds, resolves and groups place mentions in ru/kk/en text."""

    def __init__(self, gazetteer: Gazetteer, recogniser=None) -> None:
        self.gaz = gazetteer
        self.recogniser = recogniser
        self.version = gazetteer.manifest.get("version", "0")
        self._first = gazetteer.first_words or first_words(gazetteer.keys)

    @classmethod
    def load(cls, root: Path, use_ner: bool = True) -> "PlaceExtractor":
        """Load the gazetteer artefact (root/places) and, when present, the recogniser."""
        gaz = Gazetteer.load(Path(root))
        rec = _recogniser(Path(root)) if use_ner else None
        _ru_geo_forms()  # loads pymorphy3 now, not on the first Russian request
        return cls(gaz, rec)

    def info(self) -> dict:
        """Version, data provenance and headline metrics (from the manifest)."""
        info = {"version": self.version,
                "training_data": self.gaz.manifest.get("training_data", {}),
                "metrics": self.gaz.manifest.get("metrics", {}),
                "places": len(self.gaz), "keys": len(self.gaz.keys)}
        if self.recogniser is not None:
            info["recogniser"] = getattr(self.recogniser, "version", None)
        return info

    # --- matching -----------------------------------------------------------------------------

    def _match_at(self, toks: list[Token], i: int, lang: str,
                  text: str) -> tuple[int, str, int] | None:
        """Longest gazetteer key starting at token i: (n tokens, key, chars cut off) or None."""
        first = toks[i].norm
        limit = self._first.get(first, 0)
        max_n = min(max(limit, 1), len(toks) - i)
        for n in range(max_n, 0, -1):
            if n > 1 and not _joined(text, toks, i, n):
                continue
            words = [t.norm for t in toks[i:i + n]]
            last = words[-1]
            key = " ".join(words)
            if key in self.gaz.keys:
                return n, key, 0
            if lang == "en":
                for poss in ("'s", "'"):
                    if last.endswith(poss) and len(last) > len(poss) + 1:
                        key = " ".join(words[:-1] + [last[: -len(poss)]])
                        if key in self.gaz.keys:
                            return n, key, len(poss)
            elif lang == "kk" and (n > 1 or last not in self.gaz.common_words):
                prefix = " ".join(words[:-1])
                for stem, _cut in kk_stems(last):
                    cand = f"{prefix} {stem}" if prefix else stem
                    if cand in self.gaz.keys:
                        return n, cand, 0  # KazNERD spans are whole tokens, endings included
        return None

    def _gazetteer_mentions(self, text: str, lang: str, toks: list[Token]) -> list[Mention]:
        """Gazetteer matches over the tokens, longest first, left to right."""
        lang = lang if lang in TYPE_WORDS else "en"
        types = TYPE_WORDS[lang]
        out: list[Mention] = []
        rejected: set[str] = set()
        i = 0
        while i < len(toks):
            tok = toks[i]
            if not _capitalised(tok.text):
                i += 1
                continue
            hit = self._match_at(toks, i, lang, text)
            if hit is None:
                dem = self.gaz.demonyms.get(tok.norm)
                if dem is not None and dem in self.gaz.by_geonameid:
                    out.append(Mention(tok.start, tok.end, tok.text, tok.norm,
                                       [self.gaz.by_geonameid[dem]], demonym=True))
                i += 1
                continue
            n, key, cut = hit
            key_words = key.split(" ")
            last_type = self._type_word(key_words[-1], lang) if n > 1 else None
            if last_type and last_type not in TYPE_IN_SPAN.get(lang, ()) and lang == "kk" \
                    and " ".join(key_words[:-1]) in self.gaz.keys:
                # «Байзақ ауданында»: KazNERD leaves «ауданы» out of the span; it stays a cue,
                # and the places the longer key names stay candidates.
                also = self.gaz.lookup(key)
                n, key, cut = n - 1, " ".join(key_words[:-1]), 0
            else:
                also = []
            start, end = tok.start, toks[i + n - 1].end - cut
            if n > 1 and len(toks[i + n - 1].text) == 1 and text[end:end + 1] == ".":
                end += 1  # the closing dot of an abbreviation: U.S.
            cue = None
            key_words = key.split(" ")
            if key_words[-1] in types or (lang == "kk" and self._kk_type(key_words[-1])):
                cue = types.get(key_words[-1]) or self._kk_type(key_words[-1])
            j = i + n
            if cue is None and j < len(toks) and _joined(text, toks, j - 1, 2):
                cue = self._type_word(toks[j].norm, lang)
                if cue and cue in TYPE_IN_SPAN.get(lang, ()) and not cut:
                    end = toks[j].end
                    j += 1
            if cue is None and i > 0 and _joined(text, toks, i - 1, 2):
                cue = self._type_word(toks[i - 1].norm, lang)
            if cue is None and (key in rejected or not self._alone(text, toks, i, j, lang)):
                rejected.add(key)  # later bare mentions of a person's name stay rejected too
                i = j
                continue
            cands = self.gaz.lookup(key)
            cands += [p for p in also if p not in cands]
            out.append(Mention(start, end, text[start:end], key, cands, cue,
                               extra={"tokens": (i, j)}))
            i = j
        if NEIGHBOUR_RULES.get(lang, {}).get("pair"):
            out = self._drop_pairs(text, out)
        if lang == "ru":
            out = self._ru_geo_mentions(text, toks, out)
        return out

    def _ru_geo_mentions(self, text: str, toks: list[Token], found: list[Mention]) -> list[Mention]:
        """Add «Тверской площади» / «реки Славянки» places; widen «города Феникс» matches."""
        by_start = {m.start: m for m in found}
        taken = [(m.start, m.end) for m in found]
        extra: list[Mention] = []
        for i, tok in enumerate(toks):
            if not tok.text.islower() or len(tok.text) < 3:
                continue
            lemma = _ru_geo_forms().get(tok.norm)
            if lemma is None:
                continue
            kind = RU_GEO_NOUNS[lemma]
            # A capitalised adjective right before: «Тверской площади».
            if i > 0 and _joined(text, toks, i - 1, 2) and toks[i - 1].text[:1].isupper() \
                    and not _sentence_start(text, toks, i - 1):
                prev = toks[i - 1]
                if _ru_parse(prev.norm)[1] == "ADJF" and not any(
                        a < tok.end and prev.start < b for a, b in taken):
                    key = f"{prev.norm} {tok.norm}"
                    extra.append(Mention(prev.start, tok.end, text[prev.start:tok.end], key,
                                         self.gaz.lookup(key), kind if kind != "other" else None,
                                         extra={"pattern": "adj+noun"}))
                    taken.append((prev.start, tok.end))
                    continue
            # A capitalised name right after: «реки Славянки», «города Феникс».
            if lemma in RU_GEO_BEFORE and i + 1 < len(toks) and _joined(text, toks, i, 2) \
                    and toks[i + 1].text[:1].isupper():
                nxt = toks[i + 1]
                m = by_start.get(nxt.start)
                if m is not None:
                    m.cue = m.cue or (kind if kind != "other" else None)
                    continue
                if any(a < nxt.end and nxt.start < b for a, b in taken):
                    continue
                if _person_like(nxt.norm) and lemma not in ("река", "озеро", "остров", "мыс"):
                    continue
                extra.append(Mention(tok.start, nxt.end, text[tok.start:nxt.end], nxt.norm,
                                     self.gaz.lookup(nxt.norm), kind if kind != "other" else None,
                                     extra={"pattern": "noun+name"}))
                taken.append((tok.start, nxt.end))
        if extra:
            found = sorted(found + extra, key=lambda m: m.start)
        return found

    @staticmethod
    def _drop_pairs(text: str, found: list[Mention]) -> list[Mention]:
        """Drop two adjacent one-word matches with no cue: a person's name ("Adam Bevan")."""
        drop: set[int] = set()
        for a, b in zip(found, found[1:]):
            one_word = all(m.extra.get("tokens", (0, 2))[1] - m.extra.get("tokens", (0, 2))[0] == 1
                           for m in (a, b))
            if one_word and a.cue is None and b.cue is None and text[a.end:b.start] == " " \
                    and not a.demonym and not b.demonym and not a.surface.isupper():
                drop.update((id(a), id(b)))
        return [m for m in found if id(m) not in drop]

    def _alone(self, text: str, toks: list[Token], i: int, j: int, lang: str) -> bool:
        """False when a capitalised non-place neighbour makes the match part of a longer name."""
        rules = NEIGHBOUR_RULES.get(lang, {})
        if toks[i].text.isupper() and len(toks[i].text) > 3:
            return True  # a headline in capitals: neighbours say nothing
        if rules.get("left") and i > 0:
            prev = toks[i - 1]
            gap = text[prev.end:toks[i].start]
            if gap == " " and _capitalised(prev.text) and not _sentence_start(text, toks, i - 1) \
                    and self._type_word(prev.norm, lang) is None \
                    and self._match_at(toks, i - 1, lang, text) is None:
                return False
            if gap == ". " and len(prev.text) == 1 and prev.text.isupper():
                return False  # an initial: «Н. Кан»
        if rules.get("person_left") and i > 0:
            prev = toks[i - 1]
            if text[prev.end:toks[i].start] == " " and _capitalised(prev.text) \
                    and not prev.text.isupper() and not _sentence_start(text, toks, i - 1) \
                    and self._type_word(prev.norm, lang) is None \
                    and self._match_at(toks, i - 1, lang, text) is None \
                    and _person_like(prev.norm):
                return False
            if text[prev.end:toks[i].start] == ". " and len(prev.text) == 1 \
                    and prev.text.isupper():
                return False
        if rules.get("score") and j < len(toks) and text[toks[j - 1].end:toks[j].start] == " " \
                and toks[j].text.isdigit() and len(toks[j].text) <= 3:
            return False  # a sports result: "Detroit 4 Milwaukee 2" names teams
        if (rules.get("right") or (rules.get("right_weak") and not self._strong_key(toks, i, j))) \
                and j < len(toks):
            nxt = toks[j]
            gap = text[toks[j - 1].end:nxt.start]
            if gap == " " and _capitalised(nxt.text) and not nxt.text.isupper() \
                    and self._type_word(nxt.norm, lang) is None \
                    and self._match_at(toks, j, lang, text) is None:
                return False
        return True

    def _strong_key(self, toks: list[Token], i: int, j: int) -> bool:
        """The matched words name a country, region or alias-table place (or a focus town)."""
        key = " ".join(t.norm for t in toks[i:j])
        if key in self.gaz.alias_keys:
            return True
        return any(p.type in ("country", "region", "other") or p.country in FOCUS_STRONG
                   for p in self.gaz.lookup(key))

    def _type_word(self, norm: str, lang: str) -> str | None:
        """The place type a (folded) word names, with Kazakh endings stripped."""
        types = TYPE_WORDS[lang]
        if norm in types:
            return types[norm]
        if lang == "kk":
            return self._kk_type(norm)
        return None

    @staticmethod
    def _kk_type(norm: str) -> str | None:
        types = TYPE_WORDS["kk"]
        if norm in types:
            return types[norm]
        for stem, _ in kk_stems(norm, min_stem=3):
            if stem in types:
                return types[stem]
        return None

    def _recogniser_spans(self, text: str, lang: str) -> list[tuple[int, int]] | None:
        """The recogniser's spans, or None when there is no recogniser for `lang`."""
        if self.recogniser is None or lang not in getattr(self.recogniser, "languages", (lang,)):
            return None
        return list(self.recogniser.find(text, lang))

    def _weak(self, m: Mention) -> bool:
        """A match the gazetteer alone should not vouch for: a small town's name, no cue."""
        if m.cue or m.demonym or m.key in self.gaz.alias_keys:
            return False
        return all(p.type in POPULATED and p.population < WEAK_POPULATION
                   and p.country not in FOCUS_STRONG for p in m.candidates)

    def _strong(self, m: Mention) -> bool:
        """A match the gazetteer vouches for on its own: our alias table, a type cue, or a
        country, region or town of the newsroom's region."""
        if m.cue or m.key in self.gaz.alias_keys:
            return True
        return any(p.type in ("country", "region") or p.country in FOCUS_STRONG
                   for p in m.candidates)

    def _resolve_span(self, text: str, lang: str, toks: list[Token], start: int,
                      end: int) -> Mention | None:
        """A recogniser span as a mention, looked up by key (Kazakh endings stripped)."""
        inner = [t for t in toks if start <= t.start and t.end <= end]
        if not inner:
            return None
        key = " ".join(t.norm for t in inner)
        cands = self.gaz.lookup(key)
        if not cands and lang == "kk":
            prefix = " ".join(t.norm for t in inner[:-1])
            for stem, _ in kk_stems(inner[-1].norm):
                cand = f"{prefix} {stem}" if prefix else stem
                if cand in self.gaz.keys:
                    key, cands = cand, self.gaz.lookup(cand)
                    break
        return Mention(start, end, text[start:end], key, cands, extra={"source": "recogniser"})

    def mentions(self, text: str, lang: str, spans_only: bool = False) -> list[Mention]:
        """All place mentions in `text`, in order: gazetteer matches arbitrated with the
        recogniser (when present), plus the recogniser's spans the gazetteer lacks."""
        if not isinstance(text, str):
            raise InputError("text must be a string", code="bad_text")
        toks = tokenize(text)
        found = self._gazetteer_mentions(text, lang, toks)
        spans = self._recogniser_spans(text, lang)
        if spans is None:
            return found
        policy = ARBITRATION.get(lang, {})
        kept = []
        for m in found:
            hits = [s for s in spans if s[0] < m.end and m.start < s[1]]
            if not hits and policy.get("drop_unconfirmed") and self._weak(m):
                continue
            if policy.get("drop_all_unconfirmed") and not hits and not m.demonym \
                    and not (policy.get("keep_strong_spans" if spans_only else "keep_strong")
                             and self._strong(m)):
                continue
            if policy.get("ner_bounds") and len(hits) == 1 and hits[0] != (m.start, m.end):
                m.start, m.end = hits[0]
                m.surface = text[m.start:m.end]
            kept.append(m)
        if not policy.get("add_unmatched", True):
            return kept
        for start, end in spans:
            if any(m.start < end and start < m.end for m in kept):
                continue
            m = self._resolve_span(text, lang, toks, start, end)
            if m is not None:
                kept.append(m)
        kept.sort(key=lambda m: m.start)
        return kept

    def find_spans(self, text: str, lang: str) -> list[tuple[int, int]]:
        """Character spans of place mentions (no resolution): what the F1 evaluation scores."""
        return [(m.start, m.end) for m in self.mentions(text, lang, spans_only=True)
                if not m.demonym]

    # --- resolution ---------------------------------------------------------------------------

    def _score(self, place: Place, m: Mention, countries: set, admin1: set) -> float:
        score = KIND_PRIOR.get(place.type, 0.0)
        if self.gaz.is_alias(m.key, place):
            score += 3.0  # our alias table's reading wins (New York is the city)
        primary = _primary_key(place.name)
        if primary == m.key:
            score += 1.0
        elif primary.startswith(m.key + " "):
            score -= 2.0  # "Oklahoma" is not Oklahoma City: a truncated alternate name
        score += FOCUS.get(place.country or "", 0.0)
        score += 0.5 * math.log10(place.population + 1)
        if place.country in countries and place.type != "country":
            score += 2.0
        if (place.country, place.admin1) in admin1 and place.type in ("city", "village",
                                                                        "district"):
            score += 2.0
        if m.cue:
            score += 4.0 if place.type in _CUE_FIT[m.cue] else -2.0
        elif place.type in POPULATED:
            score += 1.5  # a bare name is a town more often than a same-named unit
        return score

    def resolve(self, mentions: list[Mention]) -> None:
        """Choose a place for each mention, using the unambiguous ones as context."""
        countries: set = set()
        admin1: set = set()
        for m in mentions:
            if len(m.candidates) == 1 or (m.candidates and m.cue == "region"):
                p = m.candidates[0] if len(m.candidates) == 1 else None
                if p is None:
                    continue
                if p.type == "country":
                    countries.add(p.country)
                elif p.type == "region":
                    countries.add(p.country)
                    admin1.add((p.country, p.admin1))
        for m in mentions:
            if not m.candidates:
                continue
            m.place = max(m.candidates, key=lambda p: self._score(p, m, countries, admin1))
            if m.place.type == "region":
                admin1.add((m.place.country, m.place.admin1))
            if m.place.type in ("country", "region"):
                countries.add(m.place.country)

    def extract(self, text: str, lang: str) -> list[dict[str, Any]]:
        """Places mentioned in `text`, grouped by resolved place, in order of first mention."""
        mentions = self.mentions(text, lang)
        self.resolve(mentions)
        groups: dict[Any, dict] = {}
        for m in mentions:
            if m.place is not None:
                gid = m.place.geonameid if m.place.geonameid is not None else m.place.name
                p = m.place
                group = groups.setdefault(("id", gid), {
                    "name": p.name, "type": p.type, "country": p.country,
                    "geonameid": p.geonameid, "lat": p.lat, "lon": p.lon,
                    "mentions": 0, "spans": [], "surface": []})
            else:
                group = groups.setdefault(("surface", name_key(m.surface)), {
                    "name": m.surface, "type": m.cue or "other", "country": None,
                    "geonameid": None, "lat": None, "lon": None,
                    "mentions": 0, "spans": [], "surface": []})
            group["mentions"] += 1
            group["spans"].append([m.start, m.end])
            if m.surface not in group["surface"]:
                group["surface"].append(m.surface)
        return list(groups.values())
