"""Counts: the numbers a story reports and what they count ("314 people", "71 imam-khatibs").

Rule-based over the shared tokeniser. A number is digits (with thousands separators, decimals and
scale words: "18,000", "4.2 million", "420 тыс.") or number words (compound and inflected:
"twenty-three", "пятисот", "жиырма үш", "мыңнан", "бесеуі"). It is a count only when a counted noun
follows it, or is named before it ("the number of participants reached 200"); collective numerals
stand for people; dates, years, times, ages, ordinals, percentages, money, measures, phone
numbers, article numbers, scores and ratios are not counts. The counted noun is reported as the
head noun's dictionary form: English by suffix rules ("families" -> "family", "people" stays),
Russian by pymorphy3 ("женщин" -> "женщина"), Kazakh by stripping case/possessive/plural suffixes
("әйелдер" -> "әйел", "имамы" -> "имам"). All word lists live in the `counts` artefact
(tables.json, built from models/numerals.py).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.artefacts import load_json
from models.errors import ArtefactError, InputError
from models.normalize import fold
from models.tokens import Token, tokenize

NAME = "counts"
TABLES = "tables.json"
LANGS = ("ru", "kk", "en")
_DIGITS_RE = re.compile(r"([0-9]+)(?:-(\w+(?:-\w+)*))?")
_THOUSANDS_SEPARATORS = {",", " ", "."}
_CHAIN_GAPS = {",", ".", " ", ":", "/", "-", "(", ")"}
_MARK_BEFORE = set("+$€£₸₽#№")
_MARK_AFTER = set("%‰°$€£₸₽")
_RANKS = {"unit": 1, "teen": 2, "ten": 3, "hundred": 4}
_KK_VOWELS = set("аәеэиоөұүуыіюя")
_KK_ALTERNATION = {"г": "к", "ғ": "қ", "б": "п"}
_RU_MODIFIERS = ("ADJF", "PRTF")


@dataclass
class _Number:
    """A number found in the token stream, before it is accepted as a count."""

    value: float
    start: int          # first token index
    end: int            # token index after the number
    cls: str            # class of its last word ("digit" for digits)
    role: str           # case role of a suffix ("", "abl", "dat", "approx", ...)
    dot_ok: bool = False  # an abbreviation ("тыс.", "млн.") ends it, so ". " may follow


class CountExtractor:
    """Finds counts in ru/kk/en text; tables come from the hash-checked `counts` artefact."""

    def __init__(self, tables: dict[str, dict], manifest: dict) -> None:
        self._manifest = manifest
        self.version: str = str(manifest.get("version", "0"))
        self._t = {lang: _prepare(lang, tables[lang]) for lang in LANGS if lang in tables}
        self._morph = None

    @classmethod
    def load(cls, root: Path) -> "CountExtractor":
        """Verify and load root/counts (tables.json listed in its manifest)."""
        tables, manifest = load_json(Path(root) / NAME, TABLES, root=Path(root))
        missing = [lang for lang in LANGS if lang not in tables]
        if missing:
            raise ArtefactError(f"artefact {NAME}: no tables for {', '.join(missing)}")
        return cls(tables, manifest)

    def info(self) -> dict:
        """Version, where the tables come from, and the headline test-set metrics."""
        return {"version": self.version,
                "training_data": self._manifest.get("training_data", {}),
                "metrics": self._manifest.get("metrics", {})}

    # ------------------------------------------------------------------ public
    def extract(self, text: str, lang: str) -> list[dict]:
        """Every count in `text`, in text order: value, qualifier, what, text, span."""
        if not isinstance(text, str):
            raise InputError("text must be a string", code="invalid_text")
        t = self._t.get(lang)
        if t is None:
            raise InputError(f"unsupported language {lang!r}; counts knows {', '.join(LANGS)}",
                             code="unsupported_language")
        if not _may_have_numbers(text, t):
            return []
        toks = tokenize(text)
        folded = text.translate(_GAP_FOLD)  # only the gaps between tokens are read from this
        out: list[dict] = []
        i = 0
        while i < len(toks):
            num, nxt = self._number(toks, i, folded, t, lang)
            if num is None:
                i = nxt
                continue
            found = self._count(toks, num, folded, t, lang)
            if found is None:
                i = num.end
                continue
            start, end, value, qualifier, what, last = found
            out.append({"value": value, "qualifier": qualifier, "what": what,
                        "text": text[start:end], "span": [start, end]})
            i = last + 1
        return out

    # ------------------------------------------------------------------ numbers
    def _number(self, toks: list[Token], i: int, folded: str, t: dict,
                lang: str) -> tuple[_Number | None, int]:
        """The number starting at token i, if any, and the token index to continue from."""
        norm = toks[i].norm
        if norm[:1].isdigit():
            return self._digits(toks, i, folded, t, lang)
        if norm in t["forms"] or (lang == "en" and norm == "a") or "-" in norm:
            return self._words(toks, i, folded, t, lang)
        return None, i + 1

    def _digits(self, toks: list[Token], i: int, folded: str, t: dict,
                lang: str) -> tuple[_Number | None, int]:
        """Digits with separators, decimals, a hyphenated suffix and a scale word after them."""
        m = _DIGITS_RE.fullmatch(toks[i].norm)
        if m is None:
            return None, i + 1
        groups, seps, suffix = [m.group(1)], [], m.group(2)
        j = i
        while suffix is None and j + 1 < len(toks):
            gap = folded[toks[j].end:toks[j + 1].start]
            m2 = _DIGITS_RE.fullmatch(toks[j + 1].norm)
            if len(gap) != 1 or gap not in _CHAIN_GAPS or m2 is None:
                break
            groups.append(m2.group(1))
            seps.append(gap)
            suffix = m2.group(2)
            j += 1
        end = j + 1
        before = folded[toks[i - 1].end if i else 0:toks[i].start].strip()
        if before[-1:] in _MARK_BEFORE:
            return None, end
        value = _chain_value(groups, seps, lang)
        if value is None:
            if set(seps) == {" "}:  # "in March 2015 300 people": only the first group
                value, end, suffix = float(groups[0]), i + 1, None
            else:  # dates, times, phone numbers, ranges and scores
                return None, self._skip_scale(toks, end, folded, t)
        after = folded[toks[end - 1].end:toks[end - 1].end + 2].strip()
        if after[:1] in _MARK_AFTER:
            return None, end
        role = ""
        if suffix is not None:
            if suffix.isdigit():
                return None, end
            role = t["digit_suffixes"].get(suffix)
            if role is None or role in ("ord", "other"):
                return None, self._skip_scale(toks, end, folded, t)
            if role == "card":
                role = ""
        num = _Number(value, i, end, "digit", role)
        if len(groups) == 1 and 1900 <= value <= 2099 and len(groups[0]) == 4 and not suffix:
            num.cls = "year?"
        spaced = end < len(toks) and _ws(folded, toks[end - 1], toks[end])
        if lang == "kk" and not suffix and spaced \
                and t["digit_suffixes"].get(toks[end].norm) in ("abl", "dat"):
            num.role = t["digit_suffixes"][toks[end].norm]  # "150 ге жуық": a detached suffix
            num.end = end + 1
            return num, num.end
        if (not suffix or role == "") and spaced:  # "2 млн", "5-ти тысяч"
            entry = t["forms"].get(toks[end].norm)
            if entry and entry[1] in ("scale", "mult"):
                num.value = value * entry[0]
                num.role = entry[2]
                num.cls = "scale"
                num.end = end + 1
                num.dot_ok = toks[end].norm in t["abbr"]
                if num.end < len(toks) and toks[num.end].norm[:1].isdigit() \
                        and _joined(folded, toks[num.end - 1], toks[num.end], num.dot_ok):
                    rest, _ = self._digits(toks, num.end, folded, t, lang)
                    if rest is not None and rest.cls == "scale" and rest.value < entry[0]:
                        num.value += rest.value  # "1 млн 112,6 тысяч", "2 million 300 thousand"
                        num.end, num.role, num.dot_ok = rest.end, rest.role, rest.dot_ok
        return num, num.end

    @staticmethod
    def _skip_scale(toks: list[Token], end: int, folded: str, t: dict) -> int:
        """Past a scale word after a rejected number ("12-13 мың адам" is a range, not 1000)."""
        if end < len(toks) and _ws(folded, toks[end - 1], toks[end]):
            entry = t["forms"].get(toks[end].norm)
            if entry and entry[1] in ("scale", "mult"):
                return end + 1
        return end

    def _words(self, toks: list[Token], i: int, folded: str, t: dict,
               lang: str) -> tuple[_Number | None, int]:
        """A run of number words read as one value ("two hundred and five", "жиырма үш")."""
        forms = t["forms"]
        words: list[tuple[float, str, str, str]] = []  # (value, cls, role, norm)
        ends: list[int] = []  # token index after each word
        k = i
        if lang == "en" and toks[i].norm == "a":
            nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
            if nxt not in forms or forms[nxt][1] not in ("mult", "scale", "dozen"):
                return None, i + 1
            words.append((1, "unit", "", "a"))
            ends.append(i + 1)
            k = i + 1
        while k < len(toks):
            if k > i and not _ws(folded, toks[k - 1], toks[k]):
                break
            norm = toks[k].norm
            if lang == "en" and norm == "and" and words and words[-1][1] in ("mult", "scale") \
                    and k + 1 < len(toks) and toks[k + 1].norm in forms:
                k += 1
                continue
            parts = norm.split("-") if lang == "en" and "-" in norm else [norm]
            entries = [forms.get(p) for p in parts]
            if not all(entries):
                if k == i and len(parts) > 1 and entries[0]:
                    return None, i + 1  # "two-day", "five-year-old": a modifier, not a count
                break
            for e, p in zip(entries, parts):
                words.append((e[0], e[1], e[2], p))
                ends.append(-1)
            ends[-1] = k + 1
            k += 1
            if entries[-1][2]:  # a case-marked word ends the number ("мыңнан", "бесеуі")
                break
        if not words:
            return None, i + 1
        value, used = _words_value(words)
        if value is None or used == 0:
            return None, i + 1
        n_tok = ends[used - 1]
        if n_tok < 0:  # the value stops inside a hyphenated token
            return None, i + 1
        last = words[used - 1]
        if used == 1 and last[3] in t["not_alone"] and not self._one_person(toks, n_tok, folded, t):
            return None, n_tok
        if last[2] in ("other", "ord"):
            return None, n_tok
        return _Number(value, i, n_tok, last[1], last[2], dot_ok=last[3] in t["abbr"]), n_tok

    @staticmethod
    def _one_person(toks: list[Token], k: int, folded: str, t: dict) -> bool:
        """Kazakh "бір" is a count before a person noun ("бір адам қаза тапты"), else an article."""
        if not t.get("one_nouns") or k >= len(toks) or not _ws(folded, toks[k - 1], toks[k]):
            return False
        return toks[k - 1].norm == "бір" and _kk_analyse(toks[k].norm, t["key"])[0] in t["one_nouns"]

    # ------------------------------------------------------------------ counts
    def _count(self, toks: list[Token], num: _Number, folded: str, t: dict,
               lang: str) -> tuple[int, int, float | int, str | None, str, int] | None:
        """Accept `num` as a count: context checks, qualifier, counted noun."""
        i = num.start
        prev = toks[i - 1].norm if i and _ws_or_dot(folded, toks[i - 1], toks[i]) else ""
        if (prev in t["label_before"] and not (i >= 2 and toks[i - 2].norm == "т")) \
                or prev in t["vague_before"]:
            return None  # "статья 205", "ч. 2" (but "в т. ч. 700 детей"), "десятки тысяч"
        if num.cls == "year?" and (prev in t["year_before"] or i == 0 or not prev
                                   or lang == "en" or prev.endswith("'s")):
            if not (i and self._qualifier_before(toks, i, folded, t)[0]):
                return None  # a year ("in 2015 militants", "Trump's 2016 campaign")
        if num.value == 0 or num.role in ("other", "ord"):
            return None
        gap = folded[toks[i - 1].end:toks[i].start].strip() if i else ""
        if gap in ("-", ":") and toks[i - 1].norm.isdigit():
            return None  # the second half of a score or range written with spaces: "1 - 0"
        if lang == "en" and num.end - i == 1 and toks[i].norm == "one" and prev in _EN_ONE_BLOCK:
            return None
        if _is_ratio(toks, i, prev, t):
            return None  # "two out of three respondents", "1 in 5 children"
        qualifier, start = self._qualifier_before(toks, i, folded, t)
        if lang == "en" and prev == "half" and toks[i].norm == "a":  # "half a million"
            num.value *= 0.5
            qualifier, start = self._qualifier_before(toks, i - 1, folded, t)
        k = num.end
        if num.role in ("abl", "dat"):
            word = toks[k].norm if k < len(toks) and _ws(folded, toks[k - 1], toks[k]) else ""
            q = t["qual_after"].get(num.role, {}).get(word)
            if q is None:
                return None  # a case-marked number used as a noun ("500-ге жетті")
            qualifier, k = q or qualifier, k + 1
        elif num.role == "approx":
            qualifier = "approx"
        elif k < len(toks) and lang == "kk" and _ws(folded, toks[k - 1], toks[k]):
            q = t["qual_after"].get("nom", {}).get(toks[k].norm)
            if q is not None:
                qualifier, k = q, k + 1
        dot_ok = num.dot_ok and k == num.end
        if lang == "en":
            head = self._noun_en(toks, k, folded, t, num.value, dot_ok)
        elif lang == "ru":
            head = self._noun_ru(toks, k, folded, t, num.value, dot_ok)
        else:
            head = self._noun_kk(toks, k, folded, t, dot_ok)
        if num.cls == "coll" and lang == "kk":
            head = None  # "бесеуі": a collective numeral stands for people
        if num.cls == "coll" and _collective_ratio(toks, num, t):
            return None  # "четверо из пяти", "бестен төртеуі": a share, not a count
        end_idx = None
        if head is None and num.cls != "coll":
            before = self._noun_before(toks, i, folded, t, lang)
            if before is None:
                return None
            noun_idx, what = before  # "the number of participants reached 200"
            start, end_idx = min(start, toks[noun_idx].start), num.end - 1
            head = (end_idx, what, [])
        if head is None:
            head = (k - 1, t["collective_noun"], [])
        idx, what, skipped = head
        if lang == "kk" and end_idx is None and not qualifier:
            q = _kk_postposition(toks, idx, folded, t)
            if q:
                qualifier, end_idx = q, idx + 1
        if what in t["not_counted"] or toks[idx].norm in t["not_counted"] \
                or any(w in t["not_counted"] for w in skipped):
            return None
        if lang == "kk" and any(_kk_unit_adjective(w, t) for w in skipped + [toks[idx].norm]):
            return None  # "15 минуттық бейнеролик": a measure, not a count
        value = num.value
        value = int(value) if float(value).is_integer() else value
        if qualifier == "":
            qualifier = None
        if end_idx is not None:
            return start, toks[end_idx].end, value, qualifier, what, end_idx
        return start, toks[idx].end, value, qualifier, what, idx

    def _noun_before(self, toks: list[Token], i: int, folded: str, t: dict,
                     lang: str) -> tuple[int, str] | None:
        """The counted noun named before the number: "number of X", "число X", "X саны"."""
        lo = max(0, i - 8)
        if any(ch in folded[toks[lo].end:toks[i].start] for ch in ".;!?()"):
            lo = i - 1
            while lo > 0 and not any(ch in folded[toks[lo - 1].end:toks[lo].start]
                                     for ch in ".;!?()"):
                lo -= 1
            lo = max(lo, i - 8)
        for j in range(i - 1, lo - 1, -1):
            norm = toks[j].norm
            if lang == "en" and norm == "number" and j + 1 < i and toks[j + 1].norm == "of":
                for c in range(j + 2, min(i, j + 6)):
                    word = toks[c].norm
                    if word in t["irregular"] or _en_plural(word, t):
                        return j, _en_lemma(word, t)
                return None
            if lang == "ru" and norm in t["count_nouns"]:
                for c in range(j + 1, min(i, j + 4)):
                    pos, lemma = _ru_head(self._get_morph(), toks[c].norm, False)
                    if pos == "NOUN":
                        return j, t["lemma_overrides"].get(lemma, lemma)
                return None
            if lang == "kk" and norm in t["count_nouns"] and j > 0:
                noun = toks[j - 1].norm
                if self._kk_word(noun, t) and _ws(folded, toks[j - 1], toks[j]) \
                        and not noun.endswith(t["verb_endings"]):
                    return j - 1, _kk_analyse(noun, t["key"])[0]
                return None
        return None

    def _qualifier_before(self, toks: list[Token], i: int, folded: str,
                          t: dict) -> tuple[str | None, int]:
        """A qualifier phrase right before token i ("more than", "свыше", "шамамен")."""
        for n in (3, 2, 1):
            if i - n < 0:
                continue
            if not all(_ws(folded, toks[j], toks[j + 1]) for j in range(i - n, i)):
                continue
            phrase = " ".join(tok.norm for tok in toks[i - n:i])
            q = t["qual_before"].get(phrase)
            if q is not None:
                return q, toks[i - n].start
        return None, toks[i].start

    def _noun_en(self, toks: list[Token], k: int, folded: str, t: dict, value: float,
                 dot_ok: bool) -> tuple[int, str, list[str]] | None:
        """The first plural noun of the chunk after the number (any noun for "one")."""
        chunk: list[int] = []
        while k < len(toks) and len(chunk) < 4:
            if not _joined(folded, toks[k - 1], toks[k], dot_ok and not chunk):
                break
            norm = toks[k].norm
            if norm in t["stop"] or norm in t["forms"] or norm[:1].isdigit():
                break
            chunk.append(k)
            plural = norm in t["irregular"] or _en_plural(norm, t) \
                or norm.endswith(("children", "women", "men", "people"))
            if plural and value == 1 and _en_lemma(norm, t) != norm:
                return None  # "one needs": a pronoun before a verb
            if plural and t["irregular"].get(norm) == norm and k + 1 < len(toks) \
                    and _ws(folded, toks[k], toks[k + 1]) and _en_plural(toks[k + 1].norm, t) \
                    and toks[k + 1].norm not in t["stop"]:
                k += 1  # "police officers", "staff members": an invariant noun as a modifier
                continue
            if plural:
                return k, _en_lemma(norm, t), [_en_lemma(toks[c].norm, t) for c in chunk[:-1]]
            k += 1
        if value == 1 and chunk:
            for n, c in enumerate(chunk):
                tok = toks[c]
                if tok.text[:1].isupper():  # "One Labour AM": a name, not a counted noun
                    continue
                if not tok.norm.endswith(t["adjective_endings"]):
                    return c, _en_lemma(tok.norm, t), []
        return None

    def _get_morph(self):
        if self._morph is None:
            self._morph = _morph_analyzer()
        return self._morph

    def _noun_ru(self, toks: list[Token], k: int, folded: str, t: dict, value: float,
                 dot_ok: bool) -> tuple[int, str, list[str]] | None:
        """First noun agreeing with the number, skipping up to three adjectives/participles."""
        skipped: list[int] = []
        lemmas: list[str] = []
        first = k
        plural_needed = not (float(value).is_integer() and value % 10 == 1 and value % 100 != 11)
        while k < len(toks) and len(skipped) <= 3:
            if not _joined(folded, toks[k - 1], toks[k], dot_ok and k == first):
                break
            norm = toks[k].norm
            if not _is_cyrillic_word(norm) or norm in t["forms"]:
                break
            if len(norm) > 1 and toks[k].text.isupper() and not _caps_context(toks, k):
                # an abbreviation: "12 НКО", "5 СМИ" (but "ВЕРНУЛИ 37 ЖЕНЩИН" is a headline)
                return k, norm, lemmas
            if k == first and _ru_ordinal(self._get_morph(), norm):
                return None  # "двадцать пятый съезд": part of an ordinal
            pos, lemma = _ru_head(self._get_morph(), norm, plural_needed)
            if pos == "NOUN":
                return k, t["lemma_overrides"].get(lemma, lemma), lemmas
            if (pos in _RU_MODIFIERS or pos == "APRO") and len(skipped) < 3:
                skipped.append(k)
                lemmas.append(lemma)
                k += 1
                continue
            break
        if skipped:  # a substantivised adjective or participle: "12 осужденных", "5 верующих"
            last = skipped[-1]
            lemma = _ru_substantive(self._get_morph(), toks[last].norm)
            if lemma:
                return last, lemma, lemmas[:-1]
        return None

    def _noun_kk(self, toks: list[Token], k: int, folded: str, t: dict,
                 dot_ok: bool) -> tuple[int, str, list[str]] | None:
        """The counted noun after a Kazakh number, skipping adjectives and participles.

        "Жеті қаладағы" counts the cities; in "18 зерттеу жобасы" (noun + possessed noun) the
        possessed noun is the head.
        """
        skipped: list[str] = []
        first = k
        while k < len(toks):
            if not _joined(folded, toks[k - 1], toks[k], dot_ok and k == first):
                return None
            norm = toks[k].norm
            if not self._kk_word(norm, t):
                return None
            stem, _poss = _kk_analyse(norm, t["key"])
            if k == first and norm.endswith(t["locative_endings"]):
                return k, stem, skipped
            nxt = toks[k + 1] if k + 1 < len(toks) and _ws(folded, toks[k], toks[k + 1]) else None
            nxt_ok = nxt is not None and self._kk_word(nxt.norm, t) and (
                not nxt.norm.endswith(t["verb_endings"])
                or nxt.norm.endswith(t["modifier_endings"]))
            nxt_stem = _kk_analyse(nxt.norm, t["key"])[0] if nxt_ok else ""
            is_mod = (norm in t["adjectives"] and stem not in t["nouns"]) or (
                norm.endswith(t["modifier_endings"])
                and (stem not in t["nouns"] or nxt_stem in t["nouns"]))
            if stem in t["attributive"] and nxt_stem in t["person_heads"]:
                is_mod = True  # "бес ер адам", "әйел адам": the head is "адам"
            if is_mod and nxt_ok and len(skipped) < 3:
                skipped.append(norm if norm not in t["modifier_ok"] else "")
                k += 1
                continue
            if norm.endswith(t["verb_endings"]) and stem not in t["nouns"]:
                return None
            # a capitalised name, not an abbreviation: "231 Қазақстан азаматы" counts citizens,
            # "12 ҮЕҰ өкілдері" counts NGOs
            proper = toks[k].text[:1].isupper() and not toks[k].text.isupper() \
                and stem not in t["nouns"]
            if proper and norm.endswith("стан"):
                stem = norm  # "Қазақстан", "Тәжікстан": "-тан" here is not a case ending
            if proper and stem != norm:
                # a name in an oblique case is not what is counted ("екі ағайынды Сирияға
                # кетті"): a modifier skipped before it stands for the people, if there is one
                if skipped and skipped[-1]:
                    return k - 1, skipped[-1], skipped[:-1]
                return None
            if stem == norm and nxt_ok:
                nstem, nposs = _kk_analyse(nxt.norm, t["key"])
                # noun + possessed noun: the number counts the compound ("18 зерттеу жобасы",
                # "45 мектеп психологы", "60 млрд. АҚШ долларын" is then money) unless the
                # possessed noun is plural, which a Kazakh number never takes ("12 ҮЕҰ
                # өкілдері" counts NGOs), or the first noun is a person ("бес бала анасы")
                if nposs and (proper or norm.endswith(t["izafet_endings"])
                              or self._kk_compound_head(stem, nxt.norm, nstem, t)):
                    return k + 1, nstem, skipped
            if norm.endswith(t["clause_verb_endings"]) and stem not in t["nouns"] \
                    and _clause_end(toks, k, folded):
                # Kazakh ends a clause with its verb: "3,5 мың азық-түлік себетін жеткізді."
                if skipped and skipped[-1]:
                    return k - 1, _kk_analyse(skipped[-1], t["key"])[0], skipped[:-1]
                return None
            if norm in t["adjectives"]:
                stem = norm  # an adjective standing for people keeps its form: "жүз белсенді"
            return k, stem, skipped
        return None

    @staticmethod
    def _kk_compound_head(stem: str, nxt: str, nstem: str, t: dict) -> bool:
        """Is the possessed noun after a bare noun the head the number counts?

        "45 мектеп психологы", "он бір диалог алаңы": yes. Not when the possessed noun is plural
        (a Kazakh number never takes a plural: "12 ҮЕҰ өкілдері" counts NGOs), when the first noun
        is a person ("екі сарапшы тәжірибесімен") or a unit that is not counted ("екі күн бойы",
        "7 жасар қызы"), or when the second is a postposition ("екі мемлекет арасындағы"), an
        adjective or a participle.
        """
        return not (stem in t["not_counted"] or _kk_person(stem, t)
                    or _kk_plural(nxt, nstem, t) or nstem in t.get("relational", ())
                    or nxt in t["adjectives"] or nstem.endswith(t["verb_endings"]))

    @staticmethod
    def _kk_word(norm: str, t: dict) -> bool:
        """A Kazakh word that can be (part of) a counted noun phrase."""
        return not (norm in t["stop"] or norm in t["forms"] or norm[:1].isdigit()
                    or not _is_cyrillic_word(norm))


# ---------------------------------------------------------------------- helpers
# Separators as models.normalize.fold sees them (no-break spaces, dashes); one char to one char.
_GAP_FOLD = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2013": "-",
                           "\u2014": "-", "\u2011": "-", "\u2010": "-", "\t": " "})
_ANY_DIGIT_RE = re.compile(r"[0-9]")
_PLAIN_WORD_RE = re.compile(r"\w+")  # hyphen parts apart: "twenty-three" has "twenty"


def _may_have_numbers(text: str, t: dict) -> bool:
    """A cheap first look: digits, or a word that is a number form (most sentences have neither)."""
    if _ANY_DIGIT_RE.search(text):
        return True
    forms = t["forms"]
    return any(w in forms for w in _PLAIN_WORD_RE.findall(text.lower().replace("ё", "е")))


_EN_ONE_BLOCK = frozenset({"the", "no", "any", "every", "each", "this", "that", "which", "some",
                           "someone", "anyone", "only", "last", "another"})
_KK_TABLES: dict[str, dict] = {}


def _prepare(lang: str, raw: dict) -> dict:
    """Turn JSON lists into sets/tuples once, at load time."""
    t = dict(raw)
    for key in ("not_alone", "not_counted", "label_before", "year_before", "stop", "adjectives",
                "vague_before", "count_nouns", "attributive", "person_heads", "one_nouns",
                "person_nouns", "relational",
                "ratio_words",
                "nouns", "modifier_ok"):
        if key in t:
            t[key] = frozenset(t[key])
    for key in ("not_plural_endings", "adjective_endings", "verb_endings", "modifier_endings",
                "locative_endings", "izafet_endings", "agent_endings", "unit_adj_endings",
                "clause_verb_endings"):
        if key in t:
            t[key] = tuple(t[key])
    t["abbr"] = frozenset(w for w, e in t["forms"].items() if e[1] == "scale" and len(w) <= 4
                          and w not in ("мың", "тыща"))
    if lang == "kk":
        # The key names the table content, so cached stems never outlive a changed table.
        content = json.dumps([raw["nouns"], raw["noun_suffixes"], raw["after_poss_only"],
                              raw["stem_aliases"], sorted(raw["not_counted"])],
                             ensure_ascii=False, sort_keys=True)
        key = "kk-" + hashlib.sha256(content.encode()).hexdigest()[:16]
        _KK_TABLES[key] = {
            "nouns": t["nouns"] | t["not_counted"],
            "case": tuple(sorted(t["noun_suffixes"]["case"], key=len, reverse=True)),
            "poss": tuple(sorted(t["noun_suffixes"]["poss"], key=len, reverse=True)),
            "plural": tuple(sorted(t["noun_suffixes"]["plural"], key=len, reverse=True)),
            "after_poss_only": frozenset(t["after_poss_only"]),
            "aliases": dict(t["stem_aliases"]),
        }
        _KK_TABLES[key]["suffixes"] = frozenset(
            _KK_TABLES[key]["case"] + _KK_TABLES[key]["poss"] + _KK_TABLES[key]["plural"])
        t["key"] = key
    return t


def _is_ratio(toks: list[Token], i: int, prev: str, t: dict) -> bool:
    """Is the number at i the second term of a ratio ("one in five", "two out of three")?"""
    def number(j: int) -> bool:
        return j >= 0 and (toks[j].norm[:1].isdigit() or toks[j].norm in t["forms"])

    if not prev:
        return False
    for n in (1, 2, 3):  # "in", "out of", "out of every"
        if i - n - 1 < 0:
            break
        phrase = " ".join(tok.norm for tok in toks[i - n:i])
        if phrase in t["ratio_words"] and number(i - n - 1):
            return True
    return False


def _kk_plural(word: str, stem: str, t: dict) -> bool:
    """Does a Kazakh word carry a plural suffix after its stem ("өкілдері", not "өкілі")?"""
    return word[len(stem):].startswith(tuple(t["noun_suffixes"]["plural"]))


def _kk_unit_adjective(word: str, t: dict) -> bool:
    """A Kazakh adjective made from a unit that is not counted ("минуттық", "пайыздық")."""
    for ending in t["unit_adj_endings"]:
        if word.endswith(ending) and word[:-len(ending)] in t["not_counted"]:
            return True
    return False


def _clause_end(toks: list[Token], k: int, folded: str) -> bool:
    """Is token k the last word of its clause (punctuation or the end of the text follows)?"""
    if k + 1 >= len(toks):
        return True
    gap = folded[toks[k].end:toks[k + 1].start]
    return any(ch in gap for ch in ".!?;,:\n")


def _caps_context(toks: list[Token], k: int) -> bool:
    """Is token k inside an all-capitals headline (another long upper-case word is near)?"""
    for j in range(max(0, k - 4), min(len(toks), k + 3)):
        text = toks[j].text
        if j != k and len(text) >= 5 and text.isalpha() and text.isupper():
            return True
    return False


def _kk_person(stem: str, t: dict) -> bool:
    """Is a Kazakh noun stem a person ("сарапшы", "бала", "имам")?"""
    return stem in t.get("person_nouns", ()) or stem.endswith(t.get("agent_endings", ()))


def _kk_postposition(toks: list[Token], idx: int, folded: str, t: dict) -> str | None:
    """A qualifier after a case-marked counted noun: "50 қатысушыға дейін", "100 адамнан астам"."""
    if idx + 1 >= len(toks) or not _ws(folded, toks[idx], toks[idx + 1]):
        return None
    norm = toks[idx].norm
    for case, endings in _KK_NOUN_CASES.items():
        if norm.endswith(endings):
            q = t["qual_after"].get(case, {}).get(toks[idx + 1].norm)
            if q:
                return q
    return None


_KK_NOUN_CASES = {"dat": ("ға", "ге", "қа", "ке", "на", "не"),
                  "abl": ("дан", "ден", "тан", "тен", "нан", "нен")}


def _collective_ratio(toks: list[Token], num: _Number, t: dict) -> bool:
    """A collective numeral used as a share: "четверо из пяти", "бестен төртеуі"."""
    i, k = num.start, num.end
    if k + 1 < len(toks) and toks[k].norm in t["ratio_words"]:
        nxt = toks[k + 1].norm
        return nxt[:1].isdigit() or nxt in t["forms"]
    if i:
        entry = t["forms"].get(toks[i - 1].norm)
        return bool(entry) and entry[2] == "abl"
    return False


def _ws(folded: str, a: Token, b: Token) -> bool:
    """True when only white space on one line separates two tokens (a line break ends a title)."""
    gap = folded[a.end:b.start]
    return gap.isspace() and "\n" not in gap and "\r" not in gap


def _joined(folded: str, a: Token, b: Token, dot_ok: bool) -> bool:
    """Two tokens in one phrase: white space between them, or "тыс. человек" when dot_ok."""
    return _ws(folded, a, b) or (dot_ok and _ws_or_dot(folded, a, b))


def _ws_or_dot(folded: str, a: Token, b: Token) -> bool:
    """True when white space, optionally after one dot, separates two tokens ("тыс. человек")."""
    gap = folded[a.end:b.start]
    if "\n" in gap or "\r" in gap:
        return False
    return gap.isspace() or (gap[:1] == "." and (gap[1:].isspace() or gap[1:] == ""))


def _chain_value(groups: list[str], seps: list[str], lang: str) -> float | None:
    """Value of digit groups joined by single separators, or None if they are not one number."""
    if not seps:
        return float(groups[0])
    if len(set(seps)) == 1 and seps[0] in _THOUSANDS_SEPARATORS:
        sep = seps[0]
        if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) \
                and not (sep == "." and lang == "en"):
            return float("".join(groups))
    if len(groups) == 2 and seps[0] in (",", "."):
        if seps[0] == "," and lang == "en":
            return None
        return float(f"{groups[0]}.{groups[1]}")
    return None


def _words_value(words: list[tuple[float, str, str, str]]) -> tuple[float | None, int]:
    """Combine number words; returns (value, how many words were used)."""
    total = group = 0.0
    last_rank: int | None = None
    last_scale = float("inf")
    used = 0
    for n, (value, cls, _role, _norm) in enumerate(words):
        if cls == "coll":
            if n:
                break
            return value, 1
        if cls in _RANKS:
            rank = _RANKS[cls]
            if last_rank is not None and (rank >= last_rank or (last_rank == 3 and rank == 2)):
                break
            group += value
            last_rank = rank
        elif cls == "mult":
            if group >= 100 or (last_rank is not None and last_rank > 3):
                break
            group = (group or 1) * value
            last_rank = 4
        elif cls == "scale":
            if value >= last_scale:
                break
            total += (group or 1) * value
            group, last_rank, last_scale = 0.0, None, value
        elif cls == "half":
            if not group or last_rank == 0:
                break
            group += 0.5
            last_rank = 0
        elif cls == "dozen":
            if last_rank == 0 or group >= 100:
                break
            group = (group or 1) * 12
            last_rank = 0
        else:
            break
        used = n + 1
    if not used:
        return None, 0
    return total + group, used


def _en_plural(word: str, t: dict) -> bool:
    """Does an English word look like a plural noun?"""
    tail = word.rsplit("-", 1)[-1]
    return (len(tail) > 2 and tail.endswith("s") and not tail.endswith(t["not_plural_endings"]))


def _en_lemma(word: str, t: dict) -> str:
    """Singular of an English plural by suffix rules ("families" -> "family")."""
    if "-" in word:
        head, tail = word.rsplit("-", 1)
        return f"{head}-{_en_lemma(tail, t)}"
    if word in t["irregular"]:
        return t["irregular"][word]
    for plural in ("children", "women", "men", "people"):
        if word.endswith(plural) and word != plural:
            return word[:-len(plural)] + t["irregular"][plural]
    if not _en_plural(word, t):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    return word[:-1]


def _is_cyrillic_word(word: str) -> bool:
    return bool(word) and "\u0400" <= word[0] <= "\u04ff"


@lru_cache(maxsize=1)
def _morph_analyzer():
    """One pymorphy3 analyser per process (loading it takes ~0.5 s)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=65536)
def _ru_head(morph, word: str, plural_needed: bool) -> tuple[str, str]:
    """(POS, folded lemma) of a Russian word after a number: a noun only if it agrees with it.

    After numbers other than 1, 21, 31... the counted noun is plural or genitive singular
    ("пять сел", "два ребенка"); a parse that agrees wins over a likelier one that does not
    ("сел" is read as "село", not "сесть"), and a noun that cannot agree ends the search.
    """
    parses = morph.parse(word)
    best = parses[0]
    pos = str(best.tag.POS)
    if pos in ("NOUN", "VERB"):
        for p in parses:
            if p.tag.POS == "NOUN" and (pos == "NOUN" or p.score >= 0.1) and (
                    not plural_needed or "plur" in p.tag or ("gent" in p.tag and "sing" in p.tag)):
                return "NOUN", fold(p.normal_form)
    if pos == "NOUN":
        return "NOUN?", fold(best.normal_form)
    if "Apro" in best.tag:
        return "APRO", fold(best.normal_form)
    return pos, fold(best.normal_form)


@lru_cache(maxsize=16384)
def _ru_ordinal(morph, word: str) -> bool:
    """Is a Russian word an ordinal numeral ("пятый", "второго")?"""
    return "Anum" in morph.parse(word)[0].tag


@lru_cache(maxsize=16384)
def _ru_substantive(morph, word: str) -> str | None:
    """Dictionary form of a substantivised adjective/participle ("осужденных" -> "осужденный")."""
    best = morph.parse(word)[0]
    if "Apro" in best.tag or best.tag.POS not in _RU_MODIFIERS:
        return None
    form = best.inflect({"masc", "sing", "nomn"})
    return fold(form.word) if form else fold(best.normal_form)


@lru_cache(maxsize=65536)
def _kk_analyse(word: str, key: str) -> tuple[str, bool]:
    """Kazakh dictionary form and whether a possessive was stripped ("әйелдерге" -> "әйел").

    Every split into stem + (plural) + (possessive) + (case) is tried; a stem in the noun list
    wins, otherwise the split that strips most.
    """
    kk = _KK_TABLES[key]
    if word in kk["nouns"]:
        return word, False
    if "-" in word:
        head, tail = word.rsplit("-", 1)
        if tail in kk["suffixes"]:  # "аек-ті", "үеұ-ның": an abbreviation with its ending
            return head, tail in kk["poss"]
        stem, poss = _kk_analyse(tail, key)
        return f"{head}-{stem}", poss
    analyses = sorted(_kk_splits(word, kk), key=lambda a: (-a[2], _kk_odd_final(a[0]), len(a[0])))
    for stem, poss, _n in analyses:
        if stem in kk["nouns"]:
            return stem, poss
    for stem, poss, _n in analyses:
        if stem in kk["aliases"]:
            return kk["aliases"][stem], poss
    return analyses[0][0], analyses[0][1]


def _kk_splits(word: str, kk: dict) -> list[tuple[str, bool, int]]:
    """All (stem, had_possessive, morphemes stripped) splits the suffix slots allow.

    The split that strips most morphemes wins, then one whose stem does not end in ы/і (rare in
    Kazakh nouns but for agent nouns in -шы/-ші: "туысына" -> "туыс"), then the shorter stem.
    """
    out = [(word, False, 0)]
    for case in ("",) + kk["case"]:
        if case and not word.endswith(case):
            continue
        rest1 = word[:len(word) - len(case)]
        if case and not (_kk_ok(rest1) and _kk_fits(rest1, case)):
            continue
        if case in kk["after_poss_only"] and case:
            if not rest1.endswith(("ы", "і")):
                continue
            if case == "н" and not (rest1.endswith(("сы", "сі")) or rest1 in kk["nouns"]
                                    or rest1[:-1] in kk["nouns"]):
                continue  # "жобасын", "имамын" but not "қашқын", "тұрғын"
            possessives = ("",) + tuple(p for p in kk["poss"] if rest1.endswith(p))
        else:
            possessives = ("",) + kk["poss"]
        for poss in possessives:
            if poss and not rest1.endswith(poss):
                continue
            rest2 = rest1[:len(rest1) - len(poss)]
            if poss and (not _kk_ok(rest2) or not _kk_fits(rest2, poss) or (poss[0] in "ыі" and (
                    rest2[-1] in _KK_VOWELS or rest2.endswith("ш")))):
                continue
            for plural in ("",) + kk["plural"]:
                if plural and not rest2.endswith(plural):
                    continue
                stem = rest2[:len(rest2) - len(plural)]
                if plural and not (_kk_ok(stem) and _kk_fits(stem, plural)):
                    continue
                if not (case or poss or plural):
                    continue
                last_suffix = plural or poss or case
                if last_suffix[0] in _KK_VOWELS and stem[-1] in _KK_ALTERNATION \
                        and stem not in kk["nouns"]:
                    stem = stem[:-1] + _KK_ALTERNATION[stem[-1]]
                morphemes = bool(case) + bool(plural) + (2 if len(poss) >= 4 else bool(poss))
                out.append((stem, bool(poss), morphemes))
    return out


_KK_VOICELESS = set("кқпстфхцчшщ")
_KK_NASAL = set("мнң")


def _kk_fits(stem: str, suffix: str) -> bool:
    """Does a suffix's first sound fit the sound it follows (Kazakh consonant assimilation)?"""
    last, first = stem[-1], suffix[0]
    if first in "тқкп":  # loanwords spelt with a final б/г/д/в are said voiceless: "хатибке"
        return last in _KK_VOICELESS or last in "бгдв"
    if first in "дғгб":
        return last not in _KK_VOICELESS
    if first == "н":
        return last in _KK_VOWELS or last in _KK_NASAL
    if first == "л":
        return last in _KK_VOWELS or last in "рйу"
    if first == "с":
        return last in _KK_VOWELS
    return True


def _kk_odd_final(stem: str) -> bool:
    """A stem ending in ы/і that is not an agent noun ("туы" from "туысы" is a wrong split)."""
    return stem.endswith(("ы", "і")) and not stem.endswith(("шы", "ші"))


def _kk_ok(stem: str) -> bool:
    """A plausible Kazakh stem: two letters or more, with a vowel."""
    return len(stem) >= 2 and bool(_KK_VOWELS & set(stem))
