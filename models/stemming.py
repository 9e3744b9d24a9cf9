"""Light suffix-stripping stemmers for ru, kk and en: fast, table-driven, no dictionaries.

Good enough to match word forms of one lemma inside one article (Алматы/Алматыда,
мешіттер/мешіттерде, repatriated/repatriation is *not* a goal). Suffix tables are keyed by
language, so adding a language is one entry in `SUFFIXES` or `LAYERS` (and, if needed, `MIN_STEM`).
"""
from __future__ import annotations

# Endings stripped once, longest first.
_RU_ENDINGS = """
ями ами иями иях ях ах ов ев ей ой ий ый ая яя ое ее ые ие ую юю ого его ому ему ыми ими
ом ем ам ям ую ою ею ых их ым им ость ости остью остей ение ения ению ением ении ений ениям
ениями ениях ание ания анию анием ании аний ать ять ить еть уть ти ла ло ли ло ет ут ют ат ят ит
ешь ишь ем им ете ите ует уют ова ует ал ял ил ел ыл ан ен нн ен ённ енн ящ ющ ущ ащ вш ивш ывш
али яли или ыли ели ала яла ила ыла ела ало яло ило ыло ело ался ались
а я о е и ы у ю ь й
"""
_RU_REFLEXIVE = ("ся", "сь")

# Kazakh suffixes come in layers (stem + plural + possessive + case); stripped outermost first.
_KK_LAYERS = (
    """ындағы індегі ндағы ндегі дағы дегі тағы тегі ынан інен нан нен дан ден тан тен
    ында інде нда нде да де та те ына іне на не ға ге қа ке ның нің дың дің тың тің
    ымен імен мен бен пен ны ні ды ді ты ті н ша ше""",
    """ымыз іміз ыңыз іңіз мыз міз ңыз ңіз сы сі ым ім ың ің ы і""",
    """лар лер дар дер тар тер""",
    """ғанда генде қанда кенде ған ген қан кен атын етін йтын йтін ушы уші""",
)
_EN_ENDINGS = """
ations ation ness ments ment ings ing edly ed ies es s ly
"""

SUFFIXES: dict[str, tuple[str, ...]] = {
    "ru": tuple(sorted(set(_RU_ENDINGS.split()), key=len, reverse=True)),
    "en": tuple(sorted(set(_EN_ENDINGS.split()), key=len, reverse=True)),
}
MIN_STEM: dict[str, int] = {"ru": 3, "kk": 3, "en": 3}
# Languages whose suffixes stack: one table per layer, outermost layer first.
LAYERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "kk": tuple(tuple(sorted(set(layer.split()), key=len, reverse=True)) for layer in _KK_LAYERS),
}

_CACHE: dict[str, dict[str, str]] = {}
_CACHE_LIMIT = 200_000


def _strip_once(word: str, endings: tuple[str, ...], min_stem: int) -> str:
    """Remove the longest ending of `word` that leaves at least `min_stem` characters."""
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= min_stem:
            return word[:-len(ending)]
    return word


def _stem_uncached(word: str, lang: str) -> str:
    """Strip inflectional suffixes of a folded word according to the language's table."""
    if not word.isalpha():
        return word
    min_stem = MIN_STEM.get(lang, 3)
    if lang in LAYERS:
        for layer in LAYERS[lang]:
            word = _strip_once(word, layer, min_stem)
        return word
    endings = SUFFIXES.get(lang)
    if not endings:
        return word
    if lang == "ru":
        for refl in _RU_REFLEXIVE:
            if word.endswith(refl) and len(word) - 2 >= min_stem + 1:
                word = word[:-2]
                break
    if lang == "en" and word.endswith("'s"):
        word = word[:-2]
    return _strip_once(word, endings, min_stem)


def stem(word: str, lang: str) -> str:
    """The stem of a folded (lower-cased) word; unknown languages return the word unchanged."""
    cache = _CACHE.setdefault(lang, {})
    hit = cache.get(word)
    if hit is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        hit = cache[word] = _stem_uncached(word, lang)
    return hit
