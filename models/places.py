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
import re
from bisect import bisect_left
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.errors import InputError
from models.gazetteer import KK_TO_RU, Gazetteer, Place, first_words, kk_stems, name_key
from models.normalize import fold
from models.sentences import split_spans
from models.tokens import Token, tokenize

# Per-language place-type words (folded): a cue for resolution, and part of the span when the
# corpora include them (Russian and Kazakh after the name, as in «Жамбылской области»).
TYPE_WORDS: dict[str, dict[str, str]] = {
    "ru": {
        **dict.fromkeys(["область", "области", "областью", "областях", "обл"], "region"),
        **dict.fromkeys(["край", "края", "краю", "крае", "краем"], "region"),
        **dict.fromkeys(["провинция", "провинции", "провинцию", "провинцией", "штат", "штата",
                         "штате", "вилоят", "вилоята", "вилояте", "мухафаза", "мухафазы"],
                        "region"),  # «в провинции Балх», «штата Аризона», «Сурхандарьинский вилоят»
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
        "ауылы": "village", "ауыл": "village",
        "аулы": "village",  # ауыл + ы drops its second vowel: «Дәулет аулында»
        "кенті": "village", "елді": "village",
    },
    "en": {
        **dict.fromkeys(["region", "regions", "regional", "province", "provinces", "oblast",
                         "oblasts", "governorate", "governorates"], "region"),  # "Talas regional"
        **dict.fromkeys(["district", "districts", "rayon", "raion", "county"], "district"),
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
# Nouns that factRuEval puts inside the span of the name after them («городе Грозном», «реку
# Нарву», «штата Аризона», «поселка Петро-Славянка»; decided on its dev split), but not streets.
RU_NOUN_IN_SPAN = frozenset(["река", "озеро", "остров", "мыс", "гора", "город", "штат",
                             "посёлок", "село", "деревня", "площадь"])

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
           "right_weak": True, "right_name": True},
}
# Surname endings (folded), Latin and Cyrillic: a capitalised word with one right after a one-word
# match makes the match a first name ("Ayagoz Bekova", «Кербен Осмонова», «Темір Жақсылықов»).
SURNAME_ENDINGS = ("ov", "ova", "ev", "eva", "uly", "kyzy", "zoda", "zade", "enko", "skiy",
                   "skaya", "ов", "ова", "ев", "ева", "ұлы", "улы", "қызы", "кызы", "зода",
                   "заде", "енко", "ский", "ская")
# Abbreviations that open a place name before a dot and a space.
ABBREVIATED = frozenset(["st", "mt", "ft", "ст"])
# Capitalised words that may follow a place without making it part of a longer name: titles
# ("Moscow Mayor Yuri Luzhkov") and dates ("in Almaty Monday").
PLACE_FOLLOWERS: dict[str, frozenset[str]] = {
    "en": frozenset([
        "president", "prime", "minister", "mayor", "governor", "gov", "sen", "rep", "police",
        "officials", "official", "authorities", "government", "leader", "leaders", "financial",
        "secretary", "foreign", "interior", "defence", "defense", "chief", "ambassador",
        "envoy", "border", "capital", "state", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december", "on", "in", "and",
        "of", "assistant", "under", "congressman", "congresswoman", "senator", "consulate",
        "embassy"]),
}
# Endings of English nationality adjectives ("English county", "Chinese province").
NATIONALITY_ENDINGS = ("ish", "ese", "ian", "ean", "ic", "ch", "ss")
# A dateline: up to four words in capitals opening the text, then a comma and a capitalised
# word, or a date; or the venue line of a results report ("At Trent Bridge : Nottinghamshire
# 392-6", "In Anjalonkoski : MyPa-47 1 Karabach 0").
DATELINE: dict[str, re.Pattern] = {
    "en": re.compile(r"([A-Z][A-Z'.\-]*[A-Z.](?: [A-Z][A-Z'.\-]*[A-Z.]){0,3})"
                     r"(?= ?, [A-Z][a-z]| ?, [A-Z]\.[A-Z]\.| \d{4}-\d\d-\d\d)"
                     r"|(?:At|In) ([A-Z][\w'.\-]*(?: [A-Z][\w'.\-]*){0,3})(?= ?:)"),
}
# The wire services' abbreviations of US states, read only after a dateline's city
# ("SAN MATEO , Calif. 1996-08-23", "MONTGOMERY , Ala ."): elsewhere "Miss." or "Ind." are not places.
US_STATE_ABBR: dict[str, str] = {
    "ala": "alabama", "ariz": "arizona", "ark": "arkansas", "calif": "california",
    "colo": "colorado", "conn": "connecticut", "del": "delaware", "fla": "florida",
    "ga": "georgia", "ill": "illinois", "ind": "indiana", "kan": "kansas", "ky": "kentucky",
    "la": "louisiana", "md": "maryland", "mass": "massachusetts", "mich": "michigan",
    "minn": "minnesota", "miss": "mississippi", "mo": "missouri", "mont": "montana",
    "neb": "nebraska", "nev": "nevada", "n.h": "new hampshire", "n.j": "new jersey",
    "n.m": "new mexico", "n.y": "new york", "n.c": "north carolina", "n.d": "north dakota",
    "okla": "oklahoma", "ore": "oregon", "pa": "pennsylvania", "r.i": "rhode island",
    "s.c": "south carolina", "s.d": "south dakota", "tenn": "tennessee", "tex": "texas",
    "vt": "vermont", "va": "virginia", "wash": "washington", "w.va": "west virginia",
    "wis": "wisconsin", "wyo": "wyoming"}
_STATE_AFTER_DATELINE = re.compile(r" ?, ((?:[A-Z]\.){1,2}[A-Z]|[A-Z][a-z]{1,4}) ?\.")
# Words that make a sentence a sports report, where a bare town names a club ("joined
# Newcastle", "Surrey captain"); a preposition in SPORTS_VENUE makes it the venue again.
SPORTS_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset([
        "club", "clubs", "striker", "midfielder", "defender", "goalkeeper", "captain",
        "innings", "wicket", "wickets", "batsman", "bowler", "homer", "homered", "inning",
        "pitcher", "halftime", "soccer", "cricket", "rugby", "baseball", "squash", "tennis",
        "hockey", "premiership", "stumps", "all-rounder", "seamer", "scorers", "skipper",
        "serie", "bundesliga", "semifinal", "quarter-final", "semifinals", "quarterfinal",
        "outfielder", "shortstop", "rbi"]),
}
# A cricket total after a team's name ("Kent 108-3") or a bowler's figures after a player's
# ("Cork 7-1-38-0"), not a date ("1996-08-30").
_RUNS = re.compile(r"\d{1,3}-\d{1,2}$|\d{1,2}-\d{1,2}-\d{1,3}-\d{1,2}$")
SPORTS_VENUE = frozenset(["in", "at", "near", "outside"])
# Prepositions that make a weak match a place ("in Doboj"): English only, where the recogniser
# is a lexicon; the Russian and Kazakh CRFs see the preposition themselves.
LOCATIVE = {"en": frozenset(["in", "near", "outside"])}
UK_NATIONS = frozenset(["England", "Scotland", "Wales", "Northern Ireland"])
# Words after a place that make it part of an event's or a paper's name, in any case ("U.S.
# Open", "HONG KONG OPEN", "BERLIN GRAND PRIX", "Jakarta Post").
NAME_TAILS: dict[str, frozenset[str]] = {
    "en": frozenset(["open", "cup", "grand", "championship", "championships", "games",
                     "masters", "classic", "trophy", "rally", "marathon", "post", "times",
                     "daily", "herald", "tribune", "gazette", "opera", "ballet", "airlines",
                     "airways"]),
}
# Capitalised heads of an organisation's name before "of PLACE" ("Bank of Canada", "University
# of Michigan", "News Agency of Nigeria", "Tour of the Netherlands").
ORG_OF: dict[str, frozenset[str]] = {
    "en": frozenset(["bank", "university", "agency", "organisation", "organization", "tour",
                     "ministry", "council", "institute", "college", "federation", "union",
                     "association", "church", "court", "museum", "academy", "commission",
                     "committee", "department", "board", "corporation", "chamber", "league",
                     "embassy", "school", "society", "foundation", "fund", "office", "bureau",
                     "company", "party", "exchange", "assembly", "congress", "club"]),
}
# "Surrey v Kent", "Chelsea vs Arsenal": the names beside these words are teams.
VERSUS = frozenset(["v", "vs"])
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
    # ru (factRuEval dev, 5-fold cross-validation by document, the CRF retrained without the
    # held-out fold): its spans with the gazetteer's bounds, plus strong gazetteer matches it
    # misses (0.877 -> 0.898), minus lone adjectives («Российские власти», «Европейского союза»:
    # 0.907), widened to a CRF span that encloses the match («Центральную Америку»: 0.909).
    "ru": {"drop_unconfirmed": True, "add_unmatched": True, "ner_bounds": False,
           "drop_all_unconfirmed": True, "keep_strong": True, "keep_strong_spans": True,
           "drop_adjectives": True, "ner_wider": True},
    # en: the recogniser is a lexicon without CoNLL training; it only vets weak matches.
    "en": {"drop_unconfirmed": True, "add_unmatched": False, "ner_bounds": False,
           "drop_all_unconfirmed": False},
}
# Word endings romanised two ways (Кордай: Kordai/Korday; Жетысай: Zhetysai/Zhetysay): a word
# the gazetteer lacks is looked up with the other ending.
SPELLING_VARIANTS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("ai", "ay"), ("ay", "ai"), ("yi", "iy"), ("iy", "yi")),
}
# Plural Russian unit nouns after coordinated names («в Ошской и Джалал-Абадской областях») and
# abbreviated ones («Жамбылской обл.», «Байзакский р-н») → the forms a single name's key has.
RU_PLURAL_UNITS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(["области", "областях", "областей", "областям", "областями"],
                    ("области", "область", "областью")),
    **dict.fromkeys(["районы", "районах", "районов", "районам", "районами", "р-н", "р-на",
                     "р-не"], ("район", "района", "районе", "району", "районом")),
    "обл": ("области", "область", "областью"),  # abbreviated: «Жамбылской обл.»
}
# The same for English, and Kazakh plural stems (any ending may follow: «облыстарында»).
EN_PLURAL_UNITS: dict[str, tuple[str, ...]] = {
    "regions": ("region",), "districts": ("district",), "provinces": ("province",),
    "oblasts": ("oblast",)}
KK_PLURAL_UNITS: dict[str, str] = {"облыстар": "облысы", "аудандар": "ауданы",
                                   "қалалар": "қаласы"}
# Kazakh case endings written after a hyphen on abbreviations and numerals («СҚО-да», «АҚШ-қа»).
KK_HYPHEN_ENDINGS = frozenset(
    "да де та те дан ден тан тен нан нен ға ге қа ке на не ның нің дың дің тың тің ны ні ды ді "
    "ты ті мен пен бен дағы дегі тағы тегі нда нде ндағы ндегі".split())
# Words joining two names that share one plural unit noun («Шу және Ыстықкөл облыстарының»);
# a comma joins them too.
COORDINATORS: dict[str, frozenset[str]] = {
    "ru": frozenset(["и"]), "en": frozenset(["and"]), "kk": frozenset(["және", "мен"])}
# Words after a name that make it a street's name: «Қонаев көшесі», "Abai Avenue".
STREET_WORDS: dict[str, frozenset[str]] = {
    "kk": frozenset(["көше", "көшесі", "көшелері", "даңғыл", "даңғылы"]),
    "en": frozenset(["street", "avenue", "boulevard"]),
    "ru": frozenset(),
}
# Russian case endings of a name ending in a consonant (Газиантеп: -а, -у, -ом, -е).
RU_CASE_ENDINGS = ("ом", "ем", "а", "у", "е")
# The English word GeoNames puts after the name of a unit called after its town ("Sayram
# District"): a type cue on a town's name («Sairam district») looks the unit up this way.
UNIT_WORDS = {"district": "district", "region": "region"}
WEAK_POPULATION = 100_000
# A city of the countries the newsroom writes about this big is a place on its own (Aleppo,
# Gaziantep, Kazan) even where the recogniser misses it.
MAJOR_CITY = 1_000_000
FOCUS_STRONG = ("KZ", "KG", "TJ", "UZ", "TM", "AF")
# Where the repatriation stories happen: a town of these is a place on its own (Idlib, Hasakah).
CAMP_COUNTRIES = ("SY", "IQ")
_CUE_FIT = {"region": ("region",), "district": ("district",), "city": ("city", "village"),
            "village": ("village", "city"), "other": ("other", "city", "village")}


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
        if a.norm in ABBREVIATED and text[a.end:b.start] == ". ":
            continue  # "St. Petersburg", "Mt. Kenya"
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


@lru_cache(maxsize=50_000)
def ru_adjective(norm: str) -> bool:
    """Every reading pymorphy3 gives the word is a full adjective."""
    parses = _morph().parse(norm)
    return bool(parses) and all(p.tag.POS == "ADJF" for p in parses)


@lru_cache(maxsize=50_000)
def in_apposition(noun: str, name: str) -> bool:
    """The name stands in apposition to the noun: same case and number («реку Славянку»,
    «городе Грозном») or the bare nominative («штата Аризона»), not a genitive («город
    Германии», «городах России»)."""
    forms = {(p.tag.case, p.tag.number) for p in _morph().parse(noun)}
    named = [(p.tag.case, p.tag.number) for p in _morph().parse(name)]
    return any(f in forms for f in named) or named[:1] == [("nomn", "sing")]


@lru_cache(maxsize=1)
def ru_geo_forms() -> dict[str, str]:
    """Every case form (folded) of the Russian geographic nouns → its lemma."""
    out: dict[str, str] = {}
    for lemma in RU_GEO_NOUNS:
        for p in _morph().parse(lemma):
            if p.normal_form == lemma and p.tag.POS == "NOUN":
                for form in p.lexeme:
                    out.setdefault(fold(form.word), lemma)
                break
    return out


def _singular_units(word: str, lang: str) -> tuple[str, ...]:
    """The singular forms a plural unit noun stands for (keys are written with those)."""
    if lang == "ru":
        return RU_PLURAL_UNITS.get(word, ())
    if lang == "en":
        return EN_PLURAL_UNITS.get(word, ())
    if lang == "kk":
        return tuple(single for stem, single in KK_PLURAL_UNITS.items() if word.startswith(stem))
    return ()


# Quoted titles of papers, films, operations: a place inside one with other words is part of
# the title («Егемен Қазақстан», «Казахстанская правда», "Voice of Almaty").
_QUOTED = re.compile(r"«[^«»]{1,80}»|\"[^\"]{1,80}\"|“[^“”]{1,80}”")
# Words that make the place after them an airline's name ("Air Astana", «Эйр Астана»).
AIRLINE_HEADS = frozenset(["air", "эйр"])
# Nouns (folded stems) that make a quoted name beside them the name of a channel, paper, company
# or party: телеканал «Казахстан», «Қазақстан» арнасы, газета «Бишкек», the "Kazakhstan" channel.
_ORG_NOUN = re.compile(r"(?:телеканал|телерадио|канал|газет|журнал|радио|агентств|компани|парти|"
                       r"фонд|движени|клуб|кинотеатр|отел|гостиниц|ресторан|телеарна|арнас|қоры|"
                       r"newspaper|channel|magazine|company|party|fund|movement|hotel)\w*")


def _in_brand_name(text: str, toks: list[Token], i: int, end: int, titles: bool) -> bool:
    """The name from token i to `end` is part of a brand: after an airline word ("Air Astana",
    which the corpora do not count either), or with `titles` inside a short quoted title it does
    not fill («Егемен Қазақстан», «Вечерний Бишкек»: two or three words, so quoted speech and a
    road's «Көкшетау – Атбасар» keep their places). The Russian corpora count a place in a title
    («Голос Америки», «Единая Россия»), so `find_spans` keeps those and `extract` drops them."""
    start = toks[i].start
    if i > 0 and toks[i - 1].norm in AIRLINE_HEADS and _joined(text, toks, i - 1, 2):
        return True
    if not titles:
        return False
    for q in _QUOTED.finditer(text, max(0, start - 80), min(len(text), end + 80)):
        if not q.start() < start < end < q.end():
            continue
        inner = q.group(0)[1:-1].strip(" .,")
        if text[start:end].strip() == inner:  # the name fills the quotes
            before = text[max(0, q.start() - 20):q.start()].split()
            after = text[q.end():q.end() + 20].split()
            if (before and _ORG_NOUN.fullmatch(fold(before[-1]))) \
                    or (after and _ORG_NOUN.fullmatch(fold(after[0]))):
                return True  # телеканал «Казахстан», «Қазақстан» арнасы: a channel's name
        elif not inner.endswith(("!", "?")) and 1 <= inner.count(" ") <= 2 \
                and " – " not in inner and " - " not in inner:
            return True  # a title, not a slogan («Слава Украине!») or a road («Көкшетау – Атбасар»)
    return False


# Russian street nouns: «улица Московская» is scored by factRuEval but is no place to tag.
RU_STREETS = frozenset(["улица", "проспект", "переулок", "бульвар", "шоссе", "набережная"])


def _street_noun(tok: Token) -> bool:
    """A Russian street noun in any case («улице», «проспекта»)."""
    return ru_geo_forms().get(tok.norm) in RU_STREETS


def _ru_street(toks: list[Token], m: Mention) -> bool:
    """The mention is a street made by a geographic noun pattern («улице Московской»)."""
    if m.extra.get("pattern") not in ("adj+noun", "noun+name"):
        return False
    return any(_street_noun(t) for t in toks if m.start <= t.start and t.end <= m.end)


def _kk_case_form(lang: str, tok: Token, hit: tuple[int, str, int]) -> bool:
    """A one-word Kazakh match read through a case ending («Шымкентке», «Арыстағы»): where
    someone went or lives, never a person's name, even when the bare name was one."""
    return lang == "kk" and hit[0] == 1 and len(hit[1]) < len(tok.norm)


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


def _gap_after(text: str, toks: list[Token], j: int) -> str:
    """What separates the match ending at token j-1 from token j, the closing dot of an
    abbreviation ("U.S.") counted as part of the match."""
    gap = text[toks[j - 1].end:toks[j].start]
    if gap[:1] == "." and len(toks[j - 1].text) == 1:
        gap = gap[1:]
    return gap


def _sentence_start(text: str, toks: list[Token], i: int) -> bool:
    """Token i opens a sentence (first token, or after . ! ? « or a line break)."""
    if i == 0:
        return True
    gap = text[toks[i - 1].end:toks[i].start]
    if i == 1 and gap.strip() == "." and toks[0].text.isdigit() and toks[0].start == 0:
        return False  # a list number ("3. Carla Sacramento") does not end a sentence
    return any(ch in gap for ch in ".!?\n«\"(:;—–-")


_VOWEL = re.compile(r"[аәеёиоөуұүыіэюя]")
# An Arabic article before a capitalised name: "al-Hol", "аль-Хол", «әл-Хол».
_ARTICLE = re.compile(r"(?:al|el|ad|ar|as|ash|an|az|at|аль|ал|эль|әл)-[^\W\d_]", re.IGNORECASE)


def _title_case(text: str, pos: int) -> bool:
    """The line around `pos` is a headline in title case (all its longer words capitalised)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    words = [w for w in text[start:end if end >= 0 else len(text)].split()
             if len(w) > 3 and w[:1].isalpha()]
    return len(words) >= 4 and all(w[:1].isupper() for w in words)


def _sports_sentences(text: str, toks: list[Token], lang: str) -> list[tuple[int, int]]:
    """Spans of the sentences with a sports report's words ("striker", "innings"): in them a
    bare town names a club. Sentence by sentence, so one "club" does not make every town of a
    long article a team."""
    words = SPORTS_WORDS.get(lang, frozenset())
    starts = [t.start for t in toks if t.norm in words]
    if not starts:
        return []
    return [(a, b) for a, b in split_spans(text) if any(a <= s < b for s in starts)]


def _nation(place: Place) -> bool:
    """A country, or one of the UK's four nations (they field national teams)."""
    return place.type == "country" or (place.country == "GB" and place.name in UK_NATIONS)


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
        ru_geo_forms()  # loads pymorphy3 now, not on the first Russian request
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
            if n > 1:
                for single in _singular_units(last, lang):  # «Джалал-Абадской областях»
                    key = " ".join(words[:-1] + [single])
                    if key in self.gaz.keys:
                        return n, key, 0
            if lang == "en" and n == 1 and "-" in last:
                head, tail = last.rsplit("-", 1)
                raw_tail = toks[i].text.rsplit("-", 1)[1]
                if raw_tail.isalpha() and raw_tail.islower() and head in self.gaz.keys:
                    return 1, head, len(tail) + 1  # "Almaty-based", not "Tyler-Sharman", "PRE-SALE"
            if lang == "en":
                for poss in ("'s", "'"):
                    if last.endswith(poss) and len(last) > len(poss) + 1:
                        key = " ".join(words[:-1] + [last[: -len(poss)]])
                        if key in self.gaz.keys:
                            return n, key, len(poss)
            elif lang == "kk" and (n > 1 or last not in self.gaz.common_words):
                found = self._kk_key(words)
                if found is not None:
                    return n, found, 0  # KazNERD spans are whole tokens, endings included
        if lang in SPELLING_VARIANTS:
            variant = self._variant_key(first, lang)
            if variant is not None:
                return 1, variant, 0
        if lang == "ru":
            stem = self._ru_stem_key(first)
            if stem is not None:
                return 1, stem, 0
        return None

    def _ru_stem_key(self, norm: str) -> str | None:
        """A Russian case form of a name the build did not inflect (Газиантепа, Эрбилем): the
        key without its ending, when it names a place of the newsroom's countries or a city of
        100,000 people or more (a rarer name stays unmatched rather than guessed)."""
        for ending in RU_CASE_ENDINGS:
            if norm.endswith(ending) and len(norm) - len(ending) >= 4:
                cand = norm[: -len(ending)]
                if cand in self.gaz.keys and any(
                        p.country in FOCUS or p.population >= WEAK_POPULATION
                        for p in self.gaz.lookup(cand) if p.type != "village"):
                    return cand
        return None

    def _street_word(self, tok: Token, lang: str) -> bool:
        """The word names a street or avenue (Kazakh endings stripped; capitalised in English:
        "Abai Avenue", not "a Moscow street vendor")."""
        words = STREET_WORDS.get(lang, frozenset())
        if lang == "en" and not tok.text[:1].isupper():
            return False
        return tok.norm in words or (lang == "kk" and any(s in words
                                                          for s, _ in kk_stems(tok.norm)))

    def _kk_key(self, words: list[str]) -> str | None:
        """The key of Kazakh words with the last one's endings stripped; failing that, spelt
        with Russian letters (Қара-Суу → Кара-Суу) when that names a place of the region."""
        prefix = " ".join(words[:-1])
        if "-" in words[-1]:
            head, tail = words[-1].rsplit("-", 1)
            cand = f"{prefix} {head}" if prefix else head
            if tail in KK_HYPHEN_ENDINGS:  # «СҚО-да», «АҚШ-қа»: endings after an abbreviation
                for key in (cand, cand.translate(KK_TO_RU)):
                    if key in self.gaz.keys and (key == cand or self._regional(key)):
                        return key
        stems = [stem for stem, _ in kk_stems(words[-1])]
        # the і/ы Kazakh puts between a final consonant cluster and an ending (Щучинск-і-де)
        stems += [s[:-1] for s in stems if len(s) > 4 and s[-1] in "іы"
                  and not _VOWEL.search(s[-3:-1])]
        for stem in stems:
            cand = f"{prefix} {stem}" if prefix else stem
            if cand in self.gaz.keys:
                return cand
        if not prefix and words[-1][:2] in self.gaz.alias_keys:
            # a two-letter name only as a town our alias table lists («Оштағы»)
            for stem, _ in kk_stems(words[-1], min_stem=2):
                if len(stem) == 2 and stem in self.gaz.alias_keys \
                        and any(p.type in POPULATED for p in self.gaz.lookup(stem)):
                    return stem
        if not prefix and self._kk_town(words[-1]):
            return words[-1]  # a Russian-dictionary name dropped for Russian text («Рудный»)
        for stem in [words[-1], *stems]:
            if stem in self.gaz.common_words:
                continue  # «Жақсыдан үлгі ал»: an ordinary word, not Жаксы
            spelt = f"{prefix} {stem}" if prefix else stem
            cand = spelt.translate(KK_TO_RU)
            if cand != spelt and cand in self.gaz.keys and self._regional(cand):
                return cand
        return None

    def _kk_town(self, key: str) -> list[Place]:
        """Towns of the newsroom's countries whose name the build dropped as a Russian word that
        is no person's name («Рудный»): in Kazakh text such a word is only the town."""
        if key in self.gaz.keys or key not in self.gaz.kk_words:
            return []
        return [p for p in self.gaz.lookup_cued(key) if p.country in FOCUS_STRONG
                and p.type in POPULATED]

    def _places(self, key: str, lang: str) -> list[Place]:
        """The gazetteer's places for a matched key (in Kazakh also the towns of `_kk_town`)."""
        return self.gaz.lookup(key) or (self._kk_town(key) if lang == "kk" else [])

    def _regional(self, key: str) -> bool:
        """Some place the key names is in a country the newsroom writes about."""
        return any(p.country in FOCUS for p in self.gaz.lookup(key))

    def _variant_key(self, norm: str, lang: str) -> str | None:
        """A key the gazetteer has for another usual romanisation of the word (Kordai →
        Korday, Zhetysai → Zhetysay), only for places of the newsroom's region."""
        for old, new in SPELLING_VARIANTS[lang]:
            if norm.endswith(old) and len(norm) > len(old) + 2:
                cand = norm[: -len(old)] + new
                if cand in self.gaz.keys and self._regional(cand):
                    return cand
        return None

    def _gazetteer_mentions(self, text: str, lang: str, toks: list[Token],
                            spans_only: bool = False) -> list[Mention]:
        """Gazetteer matches over the tokens, longest first, left to right (with `spans_only`,
        each marked `in_name` when it lies inside an organisation's or event's name)."""
        lang = lang if lang in TYPE_WORDS else "en"
        types = TYPE_WORDS[lang]
        out: list[Mention] = []
        rejected: set[str] = set()
        sports: list[tuple[int, int]] | None = None  # sports sentences, found on first need
        i = 0
        while i < len(toks):
            tok = toks[i]
            if not (_capitalised(tok.text) or _ARTICLE.match(tok.text)):
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
            if lang == "en" and n == 1 and self._stray_code(text, tok, key):
                i += 1
                continue
            key_words = key.split(" ")
            last_type = self._type_word(key_words[-1], lang) if n > 1 else None
            if last_type and last_type not in TYPE_IN_SPAN.get(lang, ()) and lang == "kk" \
                    and (" ".join(key_words[:-1]) in self.gaz.keys or key in self.gaz.alias_keys):
                # «Байзақ ауданында»: KazNERD leaves «ауданы» out of the span; it stays a cue,
                # and the places the longer key names stay candidates (also when only the alias
                # table has the longer key: «Жамбыл қаласы» is Taraz, bare «Жамбыл» the poet).
                also = self.gaz.lookup(key)
                n, key, cut = n - 1, " ".join(key_words[:-1]), 0
            else:
                also = []
            start, end = tok.start, toks[i + n - 1].end - cut
            if n > 1 and (len(toks[i + n - 1].text) == 1 or toks[i + n - 1].norm == "обл") \
                    and text[end:end + 1] == ".":
                end += 1  # the closing dot of an abbreviation: U.S., «Жамбылской обл.»
            scored: dict = {}
            if lang == "en" and n > 1 and toks[i + n - 1].text.islower() \
                    and self._type_word(toks[i + n - 1].norm, lang):
                scored["span_end"] = toks[i + n - 2].end  # "Jiangsu province": scored as the name
                if _singular_units(toks[i + n - 1].norm, lang):
                    end = scored["span_end"]  # "Sughd regions": the noun is shared, not its name
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
            cue_before = False
            if cue is None and i > 0 and _joined(text, toks, i - 1, 2):
                cue = self._type_word(toks[i - 1].norm, lang)
                cue_before = cue is not None  # «района Уфы»: often the unit OF the place
            if cue is None and lang == "en" and i > 1 and toks[i - 1].norm == "of" \
                    and _joined(text, toks, i - 2, 3) and toks[i - 2].text.islower():
                cue = self._type_word(toks[i - 2].norm, lang)  # "the town of Naryn" is the town
            if j < len(toks) and self._street_word(toks[j], lang):
                i = j  # «Қонаев көшесі», "Abai Avenue": a street named after it
                continue
            if _in_brand_name(text, toks, i, end, titles=not spans_only) \
                    or (not spans_only and self._before_name_tail(text, toks, j, lang)):
                i = j  # «Егемен Қазақстан» (a newspaper), "Air Astana" (an airline)
                continue
            if cue is None and ((key in rejected and not _kk_case_form(lang, tok, hit))
                                or not self._alone(text, toks, i, j, lang)):
                rejected.add(key)  # later bare mentions of a person's name stay rejected too
                i = j
                continue
            if NEIGHBOUR_RULES.get(lang, {}).get("score"):
                if sports is None:
                    sports = _sports_sentences(text, toks, lang)
                if self._team(text, toks, i, j, lang, sports):
                    i = j  # this mention only: "Minnesota 6" does not make every Minnesota a team
                    continue
            cands = self._places(key, lang)
            cands += [p for p in also if p not in cands]
            extra = {**scored, "tokens": (i, j), "cue_before": cue_before,
                     "sentence_start": _sentence_start(text, toks, i)}
            if spans_only:  # only the scored spans leave such names out
                extra["in_name"] = self._in_longer_name(text, toks, i, j, lang, cue) \
                    or (cut > 0 and text[end:end + 1] == "-")  # "Almaty-based": an adjective
            out.append(Mention(start, end, text[start:end], key, cands, cue, extra=extra))
            i = j
        if NEIGHBOUR_RULES.get(lang, {}).get("pair"):
            out = self._drop_pairs(text, out)
        if lang in DATELINE:
            out = self._dateline(text, lang, out)
        if lang == "en":
            out = self._en_type_mentions(text, toks, out)
        if lang == "ru":
            out = self._ru_geo_mentions(text, toks, out)
            if not spans_only:  # factRuEval counts «улице Московской»; a newsroom's places do not
                out = [m for m in out if not _ru_street(toks, m)]
        if lang in COORDINATORS:
            out = self._coordinated(text, toks, out, lang)
        return out

    def _coordinated(self, text: str, toks: list[Token], found: list[Mention],
                     lang: str) -> list[Mention]:
        """Names before a plural unit noun that share it, looked up with the noun in the
        singular: «Ошской» in «в Ошской и Джалал-Абадской областях», "Chui" in "Chui and
        Issyk-Kul regions", «Шу» in «Шу және Ыстықкөл облыстарының» (Chui Region, not the town
        Shu), each name of "Khatlon, Sughd and GBAO regions"; a match a name already had is
        replaced."""
        work = [(m.extra["tokens"][0], _singular_units(unit.norm, lang), m.cue) for m in found
                if (unit := self._unit_noun(text, toks, m)) is not None]
        while work:  # (first token of a list item, the unit noun's singulars, its cue)
            first, singles, cue = work.pop()
            last = self._previous_item(text, toks, first, lang) if singles else None
            if last is None or self._list_of_centres(toks, last, lang):
                continue
            for k in range(min(3, last + 1), 0, -1):  # "East Kazakhstan and North Kazakhstan regions"
                a = last - k + 1
                if not toks[a].text[:1].isupper() or (k > 1 and not _joined(text, toks, a, k)):
                    continue
                name = " ".join(t.norm for t in toks[a:last + 1])
                if name in self.gaz.keys and all(self._type_word(one, lang) == "city"
                                                 for one in singles):
                    key = name  # «Түркістан, Шымкент және Тараз қалалары»: the towns, with the cue
                else:
                    key = next((f"{name} {one}" for one in singles
                                if f"{name} {one}" in self.gaz.keys), None)
                if key is None:
                    continue
                start, end = toks[a].start, toks[last].end
                found = [x for x in found if x.end <= start or x.start >= end]
                found.append(Mention(start, end, text[start:end], key, self.gaz.lookup(key), cue,
                                     extra={"tokens": (a, last + 1)}))
                work.append((a, singles, cue))
                break
            else:  # a name the gazetteer has no unit for: the list goes on before it
                if toks[last].text[:1].isupper():
                    work.append((last, singles, cue))
        return sorted(found, key=lambda x: x.start)

    @staticmethod
    def _unit_noun(text: str, toks: list[Token], m: Mention) -> Token | None:
        """The unit noun that ends a mention's name or, where Kazakh leaves «аудандарының» out
        of the span, follows it."""
        if "tokens" not in m.extra:
            return None
        i, j = m.extra["tokens"]
        if j - i >= 2:
            return toks[j - 1]
        if j < len(toks) and m.cue and _joined(text, toks, j - 1, 2):
            return toks[j]
        return None

    @staticmethod
    def _previous_item(text: str, toks: list[Token], i: int, lang: str) -> int | None:
        """The last token of the list item before token i ("Chui and |Issyk-Kul", "Khatlon,
        |Sughd"), or None when token i does not continue a list."""
        if i >= 2 and toks[i - 1].norm in COORDINATORS[lang] and _joined(text, toks, i - 2, 3):
            return i - 2
        if i >= 1 and text[toks[i - 1].end:toks[i].start].strip() == ",":
            return i - 1  # "Khatlon, Sughd", and the corpora's tokenised "Махамбет , Индер"
        return None

    @staticmethod
    def _list_of_centres(toks: list[Token], k: int, lang: str) -> bool:
        """The list of names around token k follows "the centres of": "the centres of Shaartuz,
        Dusti and Nosiri Khusrav districts" names the towns, not the districts."""
        if lang != "en":
            return False
        while k > 0 and (toks[k - 1].text[:1].isupper() or toks[k - 1].norm in COORDINATORS[lang]):
            k -= 1
        return k > 1 and toks[k - 1].norm == "of" \
            and toks[k - 2].norm in ("centre", "centres", "center", "centers")

    def _ru_geo_mentions(self, text: str, toks: list[Token], found: list[Mention]) -> list[Mention]:
        """Add «Тверской площади» / «реки Славянки» places; widen «города Феникс» matches."""
        by_start = {m.start: m for m in found}
        taken = [(m.start, m.end) for m in found]
        extra: list[Mention] = []
        for i, tok in enumerate(toks):
            if not tok.text.islower() or len(tok.text) < 3:
                continue
            lemma = ru_geo_forms().get(tok.norm)
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
            if (lemma in RU_GEO_BEFORE or lemma in RU_NOUN_IN_SPAN) and i + 1 < len(toks) \
                    and _joined(text, toks, i, 2) and toks[i + 1].text[:1].isupper():
                nxt = toks[i + 1]
                m = by_start.get(nxt.start)
                if m is not None:
                    m.cue = m.cue or (kind if kind != "other" else None)
                    if lemma in RU_NOUN_IN_SPAN and in_apposition(tok.norm, nxt.norm):
                        # factRuEval: «городе Грозном», «реку Нарву», but not «город Германии»;
                        # only the scored span widens (the surface stays the name)
                        m.extra["span_start"] = tok.start
                        m.extra["pattern"] = "noun+name"
                    continue
                if lemma not in RU_GEO_BEFORE:
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

    def _stray_code(self, text: str, tok: Token, key: str) -> bool:
        """A short word in capitals that GeoNames lists only as a town's code ("PMI" for Palma,
        "BOJ" for Burgas) is an abbreviation of something else, unless our alias table or a
        country or region has it ("UAE", "DRC") or the whole text is in capitals."""
        if not (tok.text.isupper() and len(tok.text) <= 4) or text.isupper() \
                or key in self.gaz.alias_keys:
            return False
        return not any(p.type in ("country", "region") for p in self.gaz.lookup(key))

    def _en_type_mentions(self, text: str, toks: list[Token],
                          found: list[Mention]) -> list[Mention]:
        """Names the gazetteer lacks, made places by a type word: "the town of Moengo",
        "Huize county", "Sharqiyah province" (the type word stays out of the span)."""
        taken = [(m.start, m.end) for m in found]
        extra = []
        for k, tok in enumerate(toks):
            cue = (TYPE_WORDS["en"].get(tok.norm) or ("other" if tok.norm == "airport" else None)
                   if tok.text.islower() else None)
            if cue is None:
                continue
            name = None
            if k + 2 < len(toks) and toks[k + 1].norm == "of" and cue in ("city", "village") \
                    and tok.norm in ("town", "village", "city"):
                name = toks[k + 2]  # "the town of Moengo"
            elif k > 0 and tok.norm in ("province", "county", "district", "region") \
                    and not _sentence_start(text, toks, k - 1):
                name = toks[k - 1]  # "Huize county"
            elif k > 0 and tok.norm == "airport" and not _sentence_start(text, toks, k - 1):
                name = toks[k - 1]  # "Stansted airport", "Ben Gurion airport": its place
            if name is None or not name.text[:1].isupper() or name.text.isupper() \
                    or name.norm.endswith(NATIONALITY_ENDINGS):
                continue
            first = k - 1 if tok.norm == "airport" else None
            while first is not None and first > 0 and k - first < 3 \
                    and _joined(text, toks, first - 1, 2) and toks[first - 1].text.istitle() \
                    and not _sentence_start(text, toks, first - 1):
                first -= 1  # the whole name: "Ben Gurion", "Sao Paulo"
            start = toks[first].start if first is not None else name.start
            if any(a < name.end and start < b for a, b in taken):
                continue
            key = name_key(text[start:name.end])
            extra.append(Mention(start, name.end, text[start:name.end], key,
                                 self.gaz.lookup(key), cue, extra={"pattern": "type"}))
            taken.append((start, name.end))
        return sorted(found + extra, key=lambda m: m.start) if extra else found

    def _dateline(self, text: str, lang: str, found: list[Mention]) -> list[Mention]:
        """A news dateline ("LONGYEAR , Norway 1996-08-30", "ALMATY, Kazakhstan -") names the
        place the story is filed from, whether or not the gazetteer knows it."""
        m = DATELINE[lang].match(text)
        if m is None:
            return found
        start, end = m.span(1) if m.group(1) else m.span(2)
        surface = text[start:end]
        key = name_key(surface)
        kept = [x for x in found if x.end <= start or x.start >= end]
        out = [Mention(start, end, surface, key, self.gaz.lookup(key),
                       extra={"pattern": "dateline"})]
        state = _STATE_AFTER_DATELINE.match(text, end) if lang == "en" else None
        if state is not None and state.group(1).lower() in US_STATE_ABBR:
            a, b = state.span(1)
            b += 1 if text[b:b + 1] == "." else 0  # "Calif." keeps its dot; "Ala ." does not
            kept = [x for x in kept if x.end <= a or x.start >= b]
            place = self.gaz.lookup(US_STATE_ABBR[state.group(1).lower()])
            out.append(Mention(a, b, text[a:b], name_key(text[a:b]),
                               [p for p in place if p.country == "US"], "region",
                               extra={"pattern": "dateline"}))
        return out + kept

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
        name = "".join(t.text for t in toks[i:j])
        if name.isupper() and len(name) > 3:
            return True  # a headline in capitals ("BOSTON AT NEW YORK"): neighbours say nothing
        if self._after_first_name(text, toks, i, lang):
            return False
        if lang == "en" and i > 0 and toks[i - 1].text in ("c", "b") \
                and text[toks[i - 1].end:toks[i].start] == " ":
            return False  # a cricket scorecard's fielder or bowler: "c Cork b Croft"
        if rules.get("left") and i > 0:
            prev = toks[i - 1]
            gap = text[prev.end:toks[i].start]
            if gap == " " and _capitalised(prev.text) and not _sentence_start(text, toks, i - 1) \
                    and self._type_word(prev.norm, lang) is None \
                    and (self._match_at(toks, i - 1, lang, text) is None or "-" in prev.text):
                return False  # "Dina Talas"; "Bergamo-based Atalanta" (an adjective before it)
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
        if j - i == 1 and self._before_surname(text, toks, i, lang) \
                and self._name_word(toks, j, lang, text):
            return False  # a first name before a surname: "Ayagoz Bekova", «Кербен Осмонова»
        right = rules.get("right") or (rules.get("right_weak") and not self._strong_key(toks, i, j))
        if right and lang == "kk" and j - i == 1 and toks[i].norm not in self.gaz.keys:
            right = False  # read through a case ending: «Алматыдағы Орталық мешіт» is in Almaty
        if right and j < len(toks) and text[toks[j - 1].end:toks[j].start] == " " \
                and self._name_word(toks, j, lang, text):
            return False
        return True

    def _major(self, tok: Token, hit: tuple[int, str, int] | None, lang: str) -> bool:
        """The likeliest reading of the match `hit` at `tok` is a country, a region or a city of
        100,000+: never a person's first name («из Хорватии Зденко Кожул», «Слава Украине»)."""
        cands = self.gaz.lookup(hit[1]) if hit is not None else []
        if not cands:
            return False
        probe = Mention(tok.start, tok.end, tok.text, hit[1], cands)
        likeliest = max(cands, key=lambda p: self._score(p, probe, set(), set()))
        if lang == "en" and likeliest.type not in ("country", "region") \
                and _primary_key(likeliest.name) != hit[1]:
            return False  # a big city only by another name: "Zhambyl Omarov" (Taraz) is a man
        return likeliest.type in ("country", "region") or likeliest.population >= WEAK_POPULATION

    def _before_surname(self, text: str, toks: list[Token], i: int, lang: str) -> bool:
        """Token i is followed, one space on, by a word with a surname ending, and the place it
        could be is no country, region or big city: it is a first name."""
        return i + 1 < len(toks) and text[toks[i].end:toks[i + 1].start] == " " \
            and self._surname(toks[i + 1]) \
            and not self._major(toks[i], self._match_at(toks, i, lang, text), lang)

    @staticmethod
    def _surname(tok: Token) -> bool:
        """A capitalised word with a Russian or Central Asian surname ending (-ov, -ova, -ev,
        -uly, -kyzy, -zoda...)."""
        return tok.text[:1].isupper() and not tok.text.isupper() and len(tok.norm) > 4 \
            and tok.norm.endswith(SURNAME_ENDINGS)

    def _name_word(self, toks: list[Token], j: int, lang: str, text: str) -> bool:
        """Token j is a capitalised word that is neither a place nor a place-type word: after a
        match it makes the match part of a longer name ("Talas Street", "China Daily")."""
        nxt = toks[j]
        return nxt.text[:1].isupper() and not nxt.text.isupper() \
            and self._type_word(nxt.norm, lang) is None \
            and self._match_at(toks, j, lang, text) is None

    def _after_first_name(self, text: str, toks: list[Token], i: int, lang: str) -> bool:
        """A first name right before the match makes it a surname («Асель Мерке», "Dina
        Talas"), even at the start of a sentence; a country's, region's or big city's name is
        never one, nor in Kazakh a name with a case ending."""
        if i == 0 or not self.gaz.first_names:
            return False
        prev = toks[i - 1]
        if text[prev.end:toks[i].start] != " " or not prev.text[:1].isupper() \
                or prev.text.isupper() or not self._first_name(prev.norm):
            return False
        hit = self._match_at(toks, i, lang, text)
        if self._major(toks[i], hit, lang):
            return False  # surnames are small towns' names (Мерке, Талас), not Shymkent's
        if hit is not None and _kk_case_form(lang, toks[i], hit):
            return False  # «Нұрлан Шымкентке барды»: a case ending makes it where he went
        return self._match_at(toks, i - 1, lang, text) is None

    def _first_name(self, norm: str) -> bool:
        """A first name, also in Kazakh spelling (Қайрат is Кайрат)."""
        return norm in self.gaz.first_names or norm.translate(KK_TO_RU) in self.gaz.first_names

    def _in_longer_name(self, text: str, toks: list[Token], i: int, j: int, lang: str,
                        cue: str | None) -> bool:
        """The match is part of an organisation's or event's name ("Bank of Canada", "Hong
        Kong Open"): the English corpora do not count it as a place, so find_spans leaves it
        out, but extract() still reports the place the name refers to."""
        rules = NEIGHBOUR_RULES.get(lang, {})
        if self._in_org_name(text, toks, i, j, lang):
            return True
        if j == len(toks):
            return False
        gap = _gap_after(text, toks, j)
        if rules.get("right_name") and gap == "-" and toks[j].text.islower():
            return True  # "U.S.-led", "Kabul-based": a compound adjective, not a mention
        if cue is None and rules.get("right_name") \
                and toks[j].norm not in PLACE_FOLLOWERS.get(lang, ()) \
                and not _title_case(text, toks[i].start):
            # "New York Stock Exchange", "China Daily", "U.S. Open", "Margarita Maruseva": a
            # capitalised word after a place that is neither a title ("Moscow Mayor",
            # "Kazakhstan President") nor a date makes it part of a longer name (not in a
            # title-case headline, where every word is capitalised).
            return gap == " " and self._name_word(toks, j, lang, text)
        return False

    @staticmethod
    def _before_name_tail(text: str, toks: list[Token], j: int, lang: str) -> bool:
        """An event's, paper's or company's word follows: "Hong Kong Open", "China Daily",
        "Astana Opera" name the event or the company, not the place (not even for extract)."""
        return j < len(toks) and toks[j].norm in NAME_TAILS.get(lang, ()) \
            and text[toks[j - 1].end:toks[j].start] == " " and toks[j].text[:1].isupper()

    @classmethod
    def _in_org_name(cls, text: str, toks: list[Token], i: int, j: int, lang: str) -> bool:
        """The place is part of an event's or organisation's name: "Hong Kong Open",
        "Bank of Canada", "the Tour of the Netherlands"."""
        if cls._before_name_tail(text, toks, j, lang):
            return True
        heads = ORG_OF.get(lang)
        if not heads or i < 2:
            return False
        k = i - 1
        if toks[k].norm == "the" and k > 0:
            k -= 1
        return toks[k].norm == "of" and k > 0 and toks[k - 1].norm in heads \
            and toks[k - 1].text[:1].isupper()

    def _team(self, text: str, toks: list[Token], i: int, j: int, lang: str,
              sports: list[tuple[int, int]]) -> bool:
        """A town or region that names a sports team: a score after it ("Detroit 4",
        "MILWAUKEE 64 71", "Kent 108-3"), "v"/"vs" beside it, or the visitors of a fixture line in capitals
        ("BOSTON AT OAKLAND": Oakland, the venue, stays a place), or a sports story's words
        ("striker", "innings") in the town's sentence (`sports`: their spans) that no "in"/"at"
        makes a venue. National teams
        stay places (CoNLL's convention: "Pakistan 185" is LOC), so a country never counts;
        "in"/"at" before a town make it the venue ("in Salzburg 3-2")."""
        before = toks[i - 1] if i > 0 else None
        venue = before is not None and before.norm in SPORTS_VENUE
        k = j  # past the rest of the club's name: "Ajax Amsterdam 4-2", "Werder Bremen 1"
        while k < len(toks) and k < j + 2 and toks[k].text[:1].isupper() \
                and not toks[k].text.isupper() and text[toks[k - 1].end:toks[k].start] == " ":
            k += 1
        result = toks[k] if k < len(toks) else None
        score = result is not None and not venue and text[toks[k - 1].end:result.start] == " " \
            and (result.text.isdigit() and len(result.text) <= 3
                 or _RUNS.match(result.text) is not None)
        after = toks[j] if j < len(toks) else None
        fixture = len(toks) <= 6 and text.isupper() and after is not None and after.text == "AT"
        versus = fixture or any(t is not None and t.norm in VERSUS for t in (after, before))
        in_sports = not venue and any(a <= toks[i].start < b for a, b in sports)
        if not (score or versus or in_sports):
            return False
        key = " ".join(t.norm for t in toks[i:j])
        cands = self.gaz.lookup(key)
        if not (score or versus) and any(p.country in FOCUS_STRONG for p in cands):
            return False  # the newsroom's own towns stay places in a story that mentions a match
        return not any(_nation(p) for p in cands)

    def _strong_key(self, toks: list[Token], i: int, j: int) -> bool:
        """The matched words name a country, region or alias-table place (or a focus town)."""
        key = " ".join(t.norm for t in toks[i:j])
        for poss in ("'s", "’s", "'", "’"):  # "Uzbekistan's Committee": the country's
            if key.endswith(poss) and key[: -len(poss)] in self.gaz.keys:
                key = key[: -len(poss)]
                break
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
        if m.cue or m.demonym or m.key in self.gaz.alias_keys or m.extra.get("pattern"):
            return False
        return all(p.type in POPULATED and p.population < WEAK_POPULATION
                   and p.country not in FOCUS_STRONG for p in m.candidates)

    def _strong(self, m: Mention) -> bool:
        """A match the gazetteer vouches for on its own: our alias table, a type cue, or a
        country, region or town of the newsroom's region."""
        if m.cue or m.key in self.gaz.alias_keys or m.extra.get("pattern"):
            return True
        if any(p.type in ("country", "region") or p.country in FOCUS_STRONG
               for p in m.candidates):
            return True
        if (m.extra.get("sentence_start") and m.key == fold(m.surface)) or m.surface.isascii():
            # a bare word whose capital only opens the sentence («Омбы қар» is deep snow, not
            # Omsk; «Газиантептегі» has an ending, so it is a name), a Latin code ("Gzt")
            return False
        return any((p.country in CAMP_COUNTRIES and p.type == "city")
                   or (p.country in FOCUS and p.population >= MAJOR_CITY) for p in m.candidates)

    def _resolve_span(self, text: str, lang: str, toks: list[Token], starts: list[int],
                      start: int, end: int) -> Mention | None:
        """A recogniser span as a mention, looked up by key (Kazakh endings stripped); `starts`
        are the tokens' start offsets."""
        lo, hi = bisect_left(starts, start), bisect_left(starts, end)
        inner = [t for t in toks[lo:hi] if t.end <= end]
        if not inner:
            return None
        key = " ".join(t.norm for t in inner)
        cands = self.gaz.lookup(key)
        if not cands and lang == "kk":
            found = self._kk_key([t.norm for t in inner])
            if found is not None:
                key, cands = found, self._places(found, lang)
        cue = self._type_word(inner[-1].norm, lang) if len(inner) > 1 else None
        extra = {"source": "recogniser"}
        if lang == "ru" and not cands and len(inner) > 1 and inner[0].text.islower():
            lemma = ru_geo_forms().get(inner[0].norm)  # «городе Кант»: the noun is the cue
            if lemma is not None and RU_GEO_NOUNS[lemma] != "other":
                key, cue = " ".join(t.norm for t in inner[1:]), RU_GEO_NOUNS[lemma]
                cands = self.gaz.lookup(key)
                extra["span_start"], start = start, inner[1].start  # the surface is the name
        if cue is None and not cands:  # «Кант қаласында»: the type word outside the span
            after = toks[hi] if hi < len(toks) else None
            if after is not None and after.text.islower() and text[end:after.start] == " ":
                cue = self._type_word(after.norm, lang)
        return Mention(start, end, text[start:end], key, cands, cue, extra=extra)

    def mentions(self, text: str, lang: str, spans_only: bool = False) -> list[Mention]:
        """All place mentions in `text`, in order: gazetteer matches arbitrated with the
        recogniser (when present), plus the recogniser's spans the gazetteer lacks."""
        if not isinstance(text, str):
            raise InputError("text must be a string", code="bad_text")
        toks = tokenize(text)
        starts = [t.start for t in toks]  # token lookup by offset (bisection)
        found = self._gazetteer_mentions(text, lang, toks, spans_only)
        spans = self._recogniser_spans(text, lang)
        if spans is None:
            return found
        policy = ARBITRATION.get(lang, {})
        kept = []
        for m in found:
            hits = [s for s in spans if s[0] < m.end and m.start < s[1]]
            if not hits and policy.get("drop_unconfirmed") and self._weak(m) \
                    and not self._after_locative(toks, m, lang):
                continue
            if policy.get("drop_all_unconfirmed") and not hits and not m.demonym \
                    and not (policy.get("keep_strong_spans" if spans_only else "keep_strong")
                             and self._strong(m)):
                continue
            if policy.get("ner_wider") and len(hits) == 1 and hits[0][0] <= m.start \
                    and m.end <= hits[0][1]:
                # «Центральную Америку»: the scored span widens, the surface stays the name
                m.extra["span_start"], m.extra["span_end"] = hits[0]
            if policy.get("ner_bounds") and len(hits) == 1 and hits[0] != (m.start, m.end) \
                    and not self._cut_alias(m, hits[0]):
                m.start, m.end = hits[0]
                m.surface = text[m.start:m.end]
            kept.append(m)
        if not policy.get("add_unmatched", True):
            return kept
        for start, end in spans:
            if any(m.start < end and start < m.end for m in kept) \
                    or self._person_span(text, toks, starts, start, end, lang):
                continue
            first = bisect_left(starts, start)
            if first < len(toks) and _in_brand_name(text, toks, first, end, titles=not spans_only):
                continue
            if not spans_only and lang == "ru" and first < len(toks) \
                    and any(_street_noun(toks[k]) for k in (first - 1, first) if k >= 0):
                continue  # a street the recogniser found («улице Московской»): not a place to tag
            m = self._resolve_span(text, lang, toks, starts, start, end)
            if m is not None:
                kept.append(m)
        kept.sort(key=lambda m: m.start)
        if policy.get("drop_adjectives"):
            kept = [m for m in kept if m.cue or not self._lone_adjective(toks, starts, m)]
        return kept

    @staticmethod
    def _after_locative(toks: list[Token], m: Mention, lang: str) -> bool:
        """A locative preposition right before a weak match vouches for it where the
        recogniser cannot ("in Doboj", "near Topolcany": English has no trained recogniser)."""
        i = m.extra.get("tokens", (0, 0))[0]
        return i > 0 and toks[i - 1].norm in LOCATIVE.get(lang, ())

    def _cut_alias(self, m: Mention, hit: tuple[int, int]) -> bool:
        """The recogniser's span lies inside a several-word name of our alias table («Ресей
        Федерациясынан» → «Ресей»): the whole name is the place, so its bounds stay."""
        return m.start <= hit[0] and hit[1] <= m.end and " " in m.key \
            and m.key in self.gaz.alias_keys

    def _person_span(self, text: str, toks: list[Token], starts: list[int], start: int, end: int,
                     lang: str) -> bool:
        """A recogniser span that is a person's name: a lone first name no place has («Алма
        есімді әйел»), or a word right after a first name («Асель Мерке»). `starts` are the
        tokens' start offsets."""
        first = bisect_left(starts, start)
        if first == len(toks) or toks[first].start != start:
            return False
        tok = toks[first]
        if tok.end == end and tok.text[:1].isupper() and self._before_surname(text, toks, first, lang):
            return True  # «Адвокат Алтай Жумабеков»: a first name before a surname
        if tok.end == end and self._first_name(tok.norm) and tok.norm not in self.gaz.keys:
            # a type word after it makes it a place named after a person («Исатай ауданы»)
            nxt = toks[first + 1] if first + 1 < len(toks) else None
            return nxt is None or self._type_word(nxt.norm, lang) is None
        return self._after_first_name(text, toks, first, lang)

    @staticmethod
    def _lone_adjective(toks: list[Token], starts: list[int], m: Mention) -> bool:
        """A one-word Russian span that can only be an adjective («Российские власти»,
        «Европейского союза»): factRuEval does not count place adjectives as places.
        `starts` are the tokens' start offsets, so the span's tokens are found by bisection."""
        k = bisect_left(starts, m.start)
        inner = []
        while k < len(toks) and toks[k].end <= m.end:
            inner.append(toks[k])
            k += 1
        return len(inner) == 1 and ru_adjective(inner[0].norm)

    def find_spans(self, text: str, lang: str) -> list[tuple[int, int]]:
        """Character spans of place mentions (no resolution): what the F1 evaluation scores."""
        spans = sorted({(m.extra.get("span_start", m.start), m.extra.get("span_end", m.end))
                        for m in self.mentions(text, lang, spans_only=True)
                        if not m.demonym and not m.extra.get("in_name")},
                       key=lambda s: (s[0], -s[1]))
        out: list[tuple[int, int]] = []
        for span in spans:  # two names widened to one recogniser span count once
            if not out or span[0] >= out[-1][1]:
                out.append(span)
        return out

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
        if m.cue or place.type != "district":
            # a district's head count includes its centre's, so with no cue it would outweigh
            # the town it is named after (Sayram District has 91k, GeoNames gives Sayram 0)
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
        cued: set[int] = set()  # districts a type word named («Aravan district»)
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
            if m.cue in UNIT_WORDS and not any(p.type == m.cue for p in m.candidates):
                m.candidates = m.candidates + self._units_named_after(m)
                if self._town_abroad(m):
                    # «Алмалинский район», "Almaly district": a unit the gazetteer lacks is
                    # reported unresolved, not as a same-named town abroad (Elmalı, Turkey)
                    m.candidates = []
            if not m.candidates and m.cue:  # only a place of the very type the word names:
                # «Жданов аулы» is a village, not Mariupol (a city once called Zhdanov)
                m.candidates = [p for p in self.gaz.lookup_cued(m.key) if p.type == m.cue]
            if not m.candidates:
                continue
            named = [p for p in m.candidates if p.index in cued] if not m.cue else []
            # a bare repeat of a district's name a type word fixed earlier is that district
            # ("Aravan district officials told residents of Aravan"); after a region's name it
            # is the town ("Naryn region ... in Naryn": the region's capital)
            m.place = named[0] if named else \
                max(m.candidates, key=lambda p: self._score(p, m, countries, admin1))
            if m.cue == "district":
                cued.add(m.place.index)
            if m.place.type in ("region", "district"):  # «Сайрам ауданының Ақсу ауылында»
                admin1.add((m.place.country, m.place.admin1))
            if m.place.type in ("country", "region"):
                countries.add(m.place.country)

    @staticmethod
    def _town_abroad(m: Mention) -> bool:
        """A unit cue after the name («Алмалинском районе», "Almaly district") whose only
        candidates are small towns outside the newsroom's region (Elmalı, Turkey)."""
        return bool(m.candidates) and not m.extra.get("cue_before") and all(
            p.type in POPULATED and p.country not in FOCUS_STRONG
            and p.population < WEAK_POPULATION for p in m.candidates)

    def _units_named_after(self, m: Mention) -> list[Place]:
        """Districts (regions) named after a town the mention names, in its country: «Sairam
        district» is Sayram District even when only the town is spelt Sairam."""
        word = UNIT_WORDS[m.cue]
        out: list[Place] = []
        for town in m.candidates:
            primary = _primary_key(town.name)  # "Sayram District", or a unit called "Balkh"
            for p in self.gaz.lookup(f"{primary} {word}") + self.gaz.lookup(primary):
                if p.type == m.cue and p.country == town.country and p not in out:
                    out.append(p)
        return out

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
