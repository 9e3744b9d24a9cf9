"""Statistical place recogniser: finds character spans of place mentions (LOC) in ru/kk/en text.

A linear-chain CRF (CRFsuite) per language tags word tokens B/I/O from sparse string features:
the folded word, its shape, prefixes/suffixes (Russian and Kazakh case endings), a stem with
the language's case suffixes stripped, neighbouring words, and membership in a lexicon of
place names (GeoNames, matched on folded words, exact or by stem). Feature extraction is plain
Python and tagging is C, so a sentence costs well under a millisecond. English has no
shippable training text (CoNLL-2003 is evaluation-only), so its "model" is the lexicon tagger:
capitalised matches of strong lexicon categories (see training/ner.py).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from models.artefacts import read_manifest
from models.errors import ArtefactError, InputError
from models.normalize import clean, fold

NAME = "ner"
LANGUAGES: tuple[str, ...] = ("ru", "kk", "en")
LEXICON_FILE = "place_lexicon.json"
CLUSTERS_FILE = "word_clusters_ru.tsv"

# A token: a dotted abbreviation (U.S., U.K.), a word (inner hyphens/apostrophes kept), or one
# other character.
TOKEN_RE = re.compile(r"(?:[^\W\d_]\.){2,}|\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)

# Per-language resources. `adjective_suffixes`: endings of adjectives and demonyms (Российская,
# German, Kazakhstani), which look like names but are not places in the factRuEval/CoNLL sense.
# `suffixes`: case/plural endings stripped to get a stem (longest first).
# `function_words`: maps a folded function word to a language-neutral class, so a feature such
# as "previous word is a locative preposition" means the same thing in every language.
RESOURCES: dict[str, dict] = {
    "ru": {
        "adjective_suffixes": ("ский", "ская", "ской", "ское", "ских", "ским", "скую", "ского",
                               "скому", "ском", "цкий", "цкая", "цкой", "цкое", "цких"),
        "suffixes": sorted({
            "ами", "ями", "ого", "его", "ому", "ему", "ской", "ском", "ского", "скому", "ских",
            "ским", "ская", "ский", "ское", "ские", "скую", "ой", "ей", "ом", "ем", "ах", "ях",
            "ам", "ям", "ую", "юю", "ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий", "ых", "их",
            "ы", "и", "а", "я", "у", "ю", "е", "о",
        }, key=len, reverse=True),
        "function_words": {
            **dict.fromkeys(["в", "во", "на", "из", "под", "над", "около", "возле", "близ",
                             "через", "до", "от", "по", "у", "за", "между", "вокруг"], "LOCPREP"),
            **dict.fromkeys(["и", "или", "а", "но"], "CONJ"),
            **dict.fromkeys(["с", "со", "о", "об", "для", "к", "ко", "при", "про"], "PREP"),
            # Place-type words: a capitalised word next to them is likely a place.
            **dict.fromkeys(["город", "города", "городе", "область", "области", "район", "района",
                             "районе", "республика", "республики", "республике", "село", "села",
                             "селе", "край", "края", "крае", "озеро", "озера", "река", "реки",
                             "г", "обл", "пос"], "LOCHEAD"),
        },
    },
    "kk": {
        "adjective_suffixes": ("лық", "лік", "дық", "дік", "тық", "тік", "ский", "ская"),
        "suffixes": sorted({
            "ның", "нің", "дың", "дің", "тың", "тің", "ның", "ға", "ге", "қа", "ке", "на", "не",
            "а", "е", "ны", "ні", "ды", "ді", "ты", "ті", "н", "да", "де", "та", "те", "нда",
            "нде", "дан", "ден", "тан", "тен", "нан", "нен", "мен", "бен", "пен", "лар", "лер",
            "дар", "дер", "тар", "тер", "лық", "лік", "дық", "дік", "тық", "тік", "ндағы",
            "ндегі", "дағы", "дегі", "тағы", "тегі", "ы", "і", "сы", "сі", "ына", "іне", "ында",
            "інде", "ынан", "інен", "ының", "інің", "ын", "ін", "ға", "ша", "ше", "лы", "лі",
            "ова", "ев", "ов",
        }, key=len, reverse=True),
        "function_words": {
            **dict.fromkeys(["және", "мен", "бен", "пен", "немесе"], "CONJ"),
            **dict.fromkeys(["қаласы", "облысы", "ауданы", "ауылы", "елі", "өңірі", "қаласында",
                             "облысында", "ауданында", "ауылында", "елінде", "қаласының",
                             "облысының", "ауданының", "қаласына", "облысына", "қаласынан"],
                            "LOCHEAD"),
        },
    },
    "en": {
        "adjective_suffixes": ("ian", "ean", "ese", "ish", "ican", "stani", "eli", "ani",
                               "ans", "ians", "ic"),
        "suffixes": ["'s", "ese", "ian", "an", "s"],
        "function_words": {
            **dict.fromkeys(["in", "at", "from", "to", "near", "into", "across", "outside",
                             "inside", "throughout", "towards", "via", "around", "across"],
                            "LOCPREP"),
            **dict.fromkeys(["and", "or", "but"], "CONJ"),
            **dict.fromkeys(["with", "for", "about", "by", "on", "of"], "PREP"),
            **dict.fromkeys(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                             "sunday", "january", "february", "march", "april", "may", "june",
                             "july", "august", "september", "october", "november", "december"],
                            "TIME"),
            **dict.fromkeys(["the", "a", "an"], "DET"),
            **dict.fromkeys(["city", "region", "province", "district", "republic", "state",
                             "island", "river", "lake", "sea", "mountains", "valley", "oblast",
                             "county"], "LOCHEAD"),
        },
    },
}
# pymorphy3 grammemes that mark proper names (Geox = geographic name), a Russian-only feature.
_MORPH_GRAMMEMES = ("Geox", "Name", "Surn", "Patr", "Orgn", "Abbr")


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def ru_name_tags(word: str) -> str:
    """The proper-name grammemes pymorphy3 gives any parse of a Russian word ("" if none)."""
    if not word.isalpha():
        return ""
    found = {g for p in _morph().parse(word) for g in _MORPH_GRAMMEMES if g in p.tag}
    return "+".join(sorted(found))


def clear_caches() -> None:
    """Empty the per-word caches (benchmarks time cold passes with this)."""
    for fn in (ru_name_tags, shape, ru_stem, suffix_candidates, strip_suffix):
        fn.cache_clear()


def tokenize(text: str) -> list[tuple[int, int]]:
    """Character spans of the tokens the recogniser tags (words and single punctuation marks)."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


@lru_cache(maxsize=200_000)
def shape(word: str) -> str:
    """Compressed word shape: Xx, X, x, d, with runs collapsed (Алматы -> Xx, ЮНЕСКО -> X)."""
    out = []
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


_RU_ENDING_LETTERS = frozenset("аяыиуюеоёйьмх")


@lru_cache(maxsize=400_000)
def ru_stem(word: str) -> str:
    """A Russian word without its trailing run of ending letters, keeping at least 3 letters."""
    end = len(word)
    while end > 3 and word[end - 1] in _RU_ENDING_LETTERS:
        end -= 1
    return word[:end]


@lru_cache(maxsize=400_000)
def suffix_candidates(word: str, lang: str) -> tuple[str, ...]:
    """The word minus each known suffix it ends with (at least 3 letters left)."""
    return tuple(word[: -len(suf)] for suf in RESOURCES[lang]["suffixes"]
                 if word.endswith(suf) and len(word) - len(suf) >= 3)


@lru_cache(maxsize=400_000)
def strip_suffix(word: str, lang: str) -> str:
    """The word with its longest known case suffix removed, keeping at least 3 letters."""
    for suf in RESOURCES[lang]["suffixes"]:
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


# Lexicon categories, strongest first: country/continent, admin unit, big city, other place.
CATEGORIES = "CABP"


class PlaceLexicon:
    """Folded place names with a category, for features: matched whole or in an inflected form.

    Russian forms are matched on `ru_stem` of every word (Эритрее and Эритрея both give эритр);
    Kazakh forms by removing one case/possessive suffix from the last word (Алматыда -> Алматы).
    """

    def __init__(self, names: dict[str, str], max_words: int = 4) -> None:
        self.max_words = max_words
        self.names: dict[str, str] = {}
        self.ru_stems: dict[str, str] = {}
        self.first: set[str] = set()  # first words, exact and stemmed: a cheap pre-check
        for name, cat in names.items():
            words = name.split()
            if not words or len(words) > max_words:
                continue
            key = " ".join(words)
            self.names[key] = _stronger(self.names.get(key), cat)
            stems = [ru_stem(w) for w in words]
            stem = " ".join(stems)
            self.ru_stems[stem] = _stronger(self.ru_stems.get(stem), cat)
            self.first.update((words[0], stems[0]))

    def to_json(self) -> dict:
        """The lexicon as JSON (sorted, so the artefact is reproducible)."""
        return {"max_words": self.max_words, "names": dict(sorted(self.names.items()))}

    @classmethod
    def from_json(cls, data: dict) -> "PlaceLexicon":
        """Rebuild the lexicon (stems are derived again, not stored)."""
        return cls(data["names"], max_words=int(data.get("max_words", 4)))

    def lookup(self, phrase: Sequence[str], lang: str) -> str:
        """"E"+category for an exact match, "S"+category for an inflected one, else ""."""
        cat = self.names.get(" ".join(phrase))
        if cat:
            return "E" + cat
        if lang == "ru":
            cat = self.ru_stems.get(" ".join(ru_stem(w) for w in phrase))
        else:
            head = " ".join(phrase[:-1])
            for form in suffix_candidates(phrase[-1], lang):
                cat = self.names.get(f"{head} {form}" if head else form)
                if cat:
                    break
        return "S" + cat if cat else ""

    def _may_start(self, word: str, lang: str) -> bool:
        if word in self.first:
            return True
        if lang == "ru":
            return ru_stem(word) in self.first
        return any(form in self.first for form in suffix_candidates(word, lang))

    def tags(self, words: Sequence[str], lang: str,
             capitalised: Sequence[bool] | None = None) -> list[str]:
        """Per token: "" or a tag of the longest match: B/I, E(xact)/S(tem), category, length.

        Matches start only at capitalised words when `capitalised` is given.
        """
        n = len(words)
        out = [""] * n
        i = 0
        while i < n:
            found = 0
            tag = ""
            if (capitalised is None or capitalised[i]) and self._may_start(words[i], lang):
                for k in range(min(self.max_words, n - i), 0, -1):
                    phrase = words[i:i + k]
                    if not phrase[-1][:1].isalnum():
                        continue
                    tag = self.lookup(phrase, lang)
                    if tag:
                        found = k
                        break
            if found:
                out[i] = "B" + tag + str(min(found, 3))
                for j in range(i + 1, i + found):
                    out[j] = "I" + tag
                i += found
            else:
                i += 1
        return out


def _stronger(old: str | None, new: str) -> str:
    """The stronger of two lexicon categories (an earlier letter in CATEGORIES)."""
    if old is None or CATEGORIES.index(new) < CATEGORIES.index(old):
        return new
    return old


class WordClusters:
    """Folded word -> cluster ids at a few granularities (coarse first), from word embeddings.

    A CRF that sees only word identities learns the names of its training text; a cluster id
    is shared by words used alike (Эритрея, Гамбия, ...), so a place name never seen in training
    still gets the weight its cluster earned. The table is built at training time
    (training/ner.py) and shipped in the artefact: no embedding library is loaded at run time.
    """

    def __init__(self, table: dict[str, tuple[str, ...]], sizes: Sequence[int]) -> None:
        self.table = table
        self.sizes = tuple(sizes)
        self._none = ("",) * len(self.sizes)

    def get(self, word: str) -> tuple[str, ...]:
        """The word's cluster ids, or empty strings for a word outside the table."""
        return self.table.get(word, self._none)

    def to_tsv(self) -> str:
        """One `word<TAB>id<TAB>id...` line per word, sorted, after a header of the sizes."""
        lines = ["#sizes\t" + "\t".join(map(str, self.sizes))]
        lines += [w + "\t" + "\t".join(ids) for w, ids in sorted(self.table.items())]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_tsv(cls, text: str) -> "WordClusters":
        """Parse what `to_tsv` wrote."""
        lines = text.splitlines()
        sizes = [int(x) for x in lines[0].split("\t")[1:]]
        table = {}
        for line in lines[1:]:
            word, *ids = line.split("\t")
            table[word] = tuple(ids)
        return cls(table, sizes)


def _load_clusters(path: Path) -> WordClusters:
    """The word-cluster table of an artefact (its hash was checked with the manifest)."""
    try:
        return WordClusters.from_tsv(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexError) as exc:
        raise ArtefactError(f"artefact {NAME}: {path.name} is unreadable ({exc})") from exc


def token_features(text: str, spans: Sequence[tuple[int, int]], lang: str,
                   lexicon: PlaceLexicon | None, *, lexical: bool = True,
                   clusters: WordClusters | None = None) -> list[list[str]]:
    """Feature strings for each token; `lexical=False` keeps only language-neutral features,
    `clusters` adds the word-cluster ids of each token and its neighbours."""
    folded = fold(text)
    words = [text[s:e] for s, e in spans]
    norms = [folded[s:e] for s, e in spans]
    shapes = [shape(w) for w in words]
    fwords = RESOURCES[lang]["function_words"]
    adj = RESOURCES[lang]["adjective_suffixes"]
    classes = [fwords.get(w) or ("ADJ" if w.endswith(adj) else "") for w in norms]
    # Only capitalised words are looked up: that is where the name grammemes help, and it keeps
    # pymorphy3's cost to a fraction of the tokens.
    morph = ([ru_name_tags(n) if w[:1].isupper() else "" for w, n in zip(words, norms)]
             if lexical and lang == "ru" else [""] * len(words))
    gaz = (lexicon.tags(norms, lang, [w[:1].isupper() for w in words])
           if lexicon is not None else [""] * len(words))
    if not lexical:  # exact vs stem matches differ by language, not by placeness
        gaz = [g.replace("E", "").replace("S", "") for g in gaz]
    n = len(words)
    kl = [clusters.get(w) for w in norms] if clusters is not None else None
    feats: list[list[str]] = []
    for i in range(n):
        w, sh = norms[i], shapes[i]
        f = ["sh=" + sh, "g=" + gaz[i], "c=" + classes[i], "m=" + morph[i]]
        if kl is not None:
            f += _cluster_features(kl, i, n)
        if lexical:
            stem = ru_stem(w) if lang == "ru" else strip_suffix(w, lang)
            f += ["w=" + w, "st=" + stem, "s2=" + w[-2:], "s3=" + w[-3:], "s4=" + w[-4:],
                  "p3=" + w[:3]]
        else:
            f.append("len=" + str(min(len(w), 8)))
        if i == 0:
            f.append("BOS")
        elif words[i - 1] in ".!?:;\"«»“”(":
            f.append("afterpunct")
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                f.append(f"{d}sh={shapes[j]}")
                f.append(f"{d}c={classes[j]}")
                f.append(f"{d}g={gaz[j][:3]}")
                if lexical:
                    f.append(f"{d}w={norms[j]}")
                    if d in (-1, 1):
                        f.append(f"{d}s3={norms[j][-3:]}")
                        f.append(f"{d}m={morph[j]}")
                elif not classes[j] and not sh[:1].isupper():
                    f.append(f"{d}pw={norms[j] if not norms[j].isalnum() else ''}")
            else:
                f.append(f"{d}w=<pad>")
        if lexical and i > 0:
            f.append("bi=" + norms[i - 1] + "|" + w)
        f.append("shctx=" + (shapes[i - 1] if i else "^") + "|" + sh + "|"
                 + (shapes[i + 1] if i + 1 < n else "$"))
        feats.append(f)
    return feats


def _cluster_features(kl: Sequence[tuple[str, ...]], i: int, n: int) -> list[str]:
    """Cluster ids of token i (every granularity) and of its neighbours (the coarsest two)."""
    out = [f"k{g}={c}" for g, c in enumerate(kl[i])]
    for d in (-1, 1):
        j = i + d
        if 0 <= j < n:
            out += [f"{d}k{g}={c}" for g, c in enumerate(kl[j][:2])]
    return out


def decode(labels: Sequence[str], spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans of the B/I runs in a label sequence (an I after O starts a span)."""
    out: list[tuple[int, int]] = []
    start = end = None
    for label, (s, e) in zip(labels, spans):
        if label == "B" or (label == "I" and start is None):
            if start is not None:
                out.append((start, end))
            start, end = s, e
        elif label == "I":
            end = e
        else:
            if start is not None:
                out.append((start, end))
            start = None
    if start is not None:
        out.append((start, end))
    return out


class LexiconTagger:
    """Fallback for a language without shippable training data: capitalised lexicon matches.

    Tags B/I on the longest lexicon match of a strong category (country, admin unit, big city)
    that starts at a capitalised word, skipping single adjectives/demonyms and time words.
    """

    def __init__(self, categories: str) -> None:
        self.categories = categories

    def tag(self, text: str, spans: Sequence[tuple[int, int]], lang: str,
            lexicon: PlaceLexicon) -> list[str]:
        """B/I/O labels for the tokens at `spans`."""
        folded = fold(text)
        words = [text[s:e] for s, e in spans]
        norms = [folded[s:e] for s, e in spans]
        fwords = RESOURCES[lang]["function_words"]
        adj = RESOURCES[lang]["adjective_suffixes"]
        gaz = lexicon.tags(norms, lang, [w[:1].isupper() for w in words])
        labels = []
        for i, g in enumerate(gaz):
            single = g[:1] == "B" and g.endswith("1")
            skip = single and (norms[i] in fwords or norms[i].endswith(adj))
            labels.append(g[0] if g and g[2] in self.categories and not skip else "O")
        for i in range(len(labels)):  # an I whose B was skipped does not stand alone
            if labels[i] == "I" and (i == 0 or labels[i - 1] == "O"):
                labels[i] = "O"
        return labels


class PlaceRecognizer:
    """Loads the per-language CRF taggers and the place lexicon; finds place spans in text."""

    def __init__(self, taggers: dict, lexicon: PlaceLexicon, manifest: dict,
                 clusters: dict[str, WordClusters] | None = None) -> None:
        self._taggers = taggers
        self._lexicon = lexicon
        self._manifest = manifest
        self._clusters = dict(clusters or {})
        self._lexical = {lang: bool(manifest.get("models", {}).get(lang, {}).get("lexical", True))
                         for lang in taggers}
        self.version: str = manifest.get("version", "0")

    @classmethod
    def load(cls, root: Path) -> "PlaceRecognizer":
        """Verify and load the artefact at root/"ner" (hashes first, then the CRF files)."""
        import pycrfsuite

        folder = Path(root) / NAME
        manifest = read_manifest(folder, root=Path(root))
        try:
            lexicon = PlaceLexicon.from_json(
                json.loads((folder / LEXICON_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise ArtefactError(f"artefact {NAME}: {LEXICON_FILE} is unreadable ({exc})") from exc
        taggers: dict = {}
        clusters: dict[str, WordClusters] = {}
        for lang, spec in manifest.get("models", {}).items():
            if spec.get("kind") == "lexicon":
                taggers[lang] = LexiconTagger(spec.get("categories", "CAB"))
                continue
            if spec.get("clusters"):
                clusters[lang] = _load_clusters(folder / spec["clusters"])
            tagger = pycrfsuite.Tagger()
            try:
                tagger.open(str(folder / spec["file"]))
            except (OSError, KeyError) as exc:
                raise ArtefactError(
                    f"artefact {NAME}: CRF model for {lang} failed ({exc})") from exc
            taggers[lang] = tagger
        if not taggers:
            raise ArtefactError(f"artefact {NAME}: manifest lists no language models")
        if "ru" in taggers:
            _morph()  # load pymorphy3's dictionary now, not on the first Russian request
        return cls(taggers, lexicon, manifest, clusters)

    def with_taggers(self, taggers: dict) -> "PlaceRecognizer":
        """The same recogniser (lexicon, clusters, settings) around other taggers: cross-validation
        swaps in CRFs trained without a fold."""
        return PlaceRecognizer(taggers, self._lexicon, self._manifest, self._clusters)

    def clusters(self, lang: str) -> WordClusters | None:
        """The word clusters the `lang` features use (None when it has none)."""
        return self._clusters.get(lang)

    def info(self) -> dict:
        """Version, training-data fingerprint/source/licence and headline metrics."""
        return {"version": self.version,
                "training_data": self._manifest.get("training_data", {}),
                "metrics": self._manifest.get("metrics", {})}

    @property
    def lexicon(self) -> PlaceLexicon:
        """The place lexicon the features use (cross-validation builds taggers around it)."""
        return self._lexicon

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this artefact has a model for."""
        return tuple(self._taggers)

    def _lang(self, lang: str) -> str:
        if lang in self._taggers:
            return lang
        if lang not in LANGUAGES:
            raise InputError(f"unsupported language for place recognition: {lang!r}",
                             code="unsupported_language")
        raise ArtefactError(f"artefact {NAME}: no model for {lang}")

    def find(self, text: str, lang: str) -> list[tuple[int, int]]:
        """Character spans (start, end) of place mentions in `text`, in text order."""
        if not isinstance(text, str):
            raise InputError("text must be a string")
        lang = self._lang(lang)
        text = clean(text)  # same length, so spans still index the caller's text; crfsuite
        spans = tokenize(text)  # cannot encode a lone surrogate
        if not spans:
            return []
        tagger = self._taggers[lang]
        if isinstance(tagger, LexiconTagger):
            return decode(tagger.tag(text, spans, lang, self._lexicon), spans)
        feats = token_features(text, spans, lang, self._lexicon, lexical=self._lexical[lang],
                               clusters=self._clusters.get(lang))
        return decode(tagger.tag(feats), spans)

    def find_many(self, texts: Sequence[str],
                  langs: Sequence[str] | str) -> list[list[tuple[int, int]]]:
        """`find` over a batch; `langs` is one code for all texts or one code per text."""
        if isinstance(langs, str):
            langs = [langs] * len(texts)
        if len(langs) != len(texts):
            raise InputError("texts and langs must have the same length")
        return [self.find(t, lang) for t, lang in zip(texts, langs)]
