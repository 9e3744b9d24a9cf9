"""Per-language source tables for the counts model: number words, qualifiers, units, suffixes.

These tables are the human-edited source. `newsroom train counts` expands them (Russian numeral
inflections via pymorphy3, Kazakh case suffixes) into `models/bundled/counts/tables.json`, which
is what `models.counts.CountExtractor` loads and hash-checks at run time. Adding a language means
adding one key to each table below. All entries are in folded form (see models.normalize.fold).
"""
from __future__ import annotations

# Number words: lemma -> (value, class). Classes: unit (1-9), teen (10-19), ten (20-90),
# hundred (100-900 as one word), mult (en "hundred": multiplies), scale (1e3+), dozen, half, coll
# (collective numerals that stand for people: "пятеро", "бесеуі").
NUMBER_WORDS: dict[str, dict[str, tuple[float, str]]] = {
    "en": {
        "one": (1, "unit"), "two": (2, "unit"), "three": (3, "unit"), "four": (4, "unit"),
        "five": (5, "unit"), "six": (6, "unit"), "seven": (7, "unit"), "eight": (8, "unit"),
        "nine": (9, "unit"), "ten": (10, "teen"), "eleven": (11, "teen"), "twelve": (12, "teen"),
        "thirteen": (13, "teen"), "fourteen": (14, "teen"), "fifteen": (15, "teen"),
        "sixteen": (16, "teen"), "seventeen": (17, "teen"), "eighteen": (18, "teen"),
        "nineteen": (19, "teen"), "twenty": (20, "ten"), "thirty": (30, "ten"),
        "forty": (40, "ten"), "fifty": (50, "ten"), "sixty": (60, "ten"), "seventy": (70, "ten"),
        "eighty": (80, "ten"), "ninety": (90, "ten"), "hundred": (100, "mult"),
        "thousand": (1e3, "scale"), "million": (1e6, "scale"), "billion": (1e9, "scale"),
        "mln": (1e6, "scale"), "bn": (1e9, "scale"), "dozen": (12, "dozen"),
    },
    "ru": {
        "один": (1, "unit"), "два": (2, "unit"), "три": (3, "unit"), "четыре": (4, "unit"),
        "пять": (5, "unit"), "шесть": (6, "unit"), "семь": (7, "unit"), "восемь": (8, "unit"),
        "девять": (9, "unit"), "полтора": (1.5, "unit"), "десять": (10, "teen"),
        "одиннадцать": (11, "teen"), "двенадцать": (12, "teen"), "тринадцать": (13, "teen"),
        "четырнадцать": (14, "teen"), "пятнадцать": (15, "teen"), "шестнадцать": (16, "teen"),
        "семнадцать": (17, "teen"), "восемнадцать": (18, "teen"), "девятнадцать": (19, "teen"),
        "двадцать": (20, "ten"), "тридцать": (30, "ten"), "сорок": (40, "ten"),
        "пятьдесят": (50, "ten"), "шестьдесят": (60, "ten"), "семьдесят": (70, "ten"),
        "восемьдесят": (80, "ten"), "девяносто": (90, "ten"), "сто": (100, "hundred"),
        "двести": (200, "hundred"), "триста": (300, "hundred"), "четыреста": (400, "hundred"),
        "пятьсот": (500, "hundred"), "шестьсот": (600, "hundred"), "семьсот": (700, "hundred"),
        "восемьсот": (800, "hundred"), "девятьсот": (900, "hundred"),
        "тысяча": (1e3, "scale"), "миллион": (1e6, "scale"), "миллиард": (1e9, "scale"),
        "сотня": (100, "mult"), "двое": (2, "coll"), "трое": (3, "coll"), "четверо": (4, "coll"),
        "пятеро": (5, "coll"),
        "шестеро": (6, "coll"), "семеро": (7, "coll"), "восьмеро": (8, "coll"),
        "девятеро": (9, "coll"), "десятеро": (10, "coll"),
    },
}



def _kk_number_words() -> dict[str, tuple[float, str]]:
    """Kazakh number words from models.kazakh (the language is described once), with classes."""
    from models import kazakh

    words: dict[str, tuple[float, str]] = {}
    for word, value in kazakh.NUMBER_WORDS.items():
        if value > 0:
            cls = "unit" if value < 10 else "ten" if value < 100 else "mult" if value == 100 \
                else "scale"
            words[word] = (value, cls)
    words.update({word: (value, "coll") for word, value in kazakh.COLLECTIVES.items()})
    words["жарым"] = (0.5, "half")  # "бір жарым мың" = 1,500
    return words


NUMBER_WORDS["kk"] = _kk_number_words()

# Abbreviated scale words (used after digits, often with a dot: "420 тыс.", "2 млн").
SCALE_ABBREVIATIONS: dict[str, dict[str, float]] = {
    "en": {"mln": 1e6, "bn": 1e9, "mn": 1e6},
    "ru": {"тыс": 1e3, "млн": 1e6, "млрд": 1e9},
    "kk": {"млн": 1e6, "млрд": 1e9},
}

# Number words that are not counts on their own (Kazakh "бір" is also the indefinite article;
# Russian inflected forms that collide with common nouns).
NOT_ALONE: dict[str, list[str]] = {
    "en": ["hundred", "thousand", "million", "billion", "mln", "bn", "dozen"],
    "ru": ["тысячи", "тысячам", "тысячами", "тысячах", "тыщи", "миллионы", "миллионов", "миллиарды",
           "миллиардов"],
    "kk": ["бір", "жарым"],
}
EXCLUDED_FORMS: dict[str, list[str]] = {
    "en": [],
    "ru": ["семью", "одни", "одних", "одними", "ста", "тыщ", "тыща", "тыщам", "тыщами",
           "тыщах", "тыще", "тыщей", "тыщею", "тыщи", "тыщу", "одною", "тысячею"],
    "kk": ["бірдей", "бірер", "ондай", "бірге", "бірден", "оған", "одан", "онда", "оны", "оның",
           "онымен", "біреу", "біреуі", "бірі", "бірін", "біріне", "бірінде", "бірінен",
           "бірінің"],
}

# Words before a number that make it vague ("ондаған мың адам" = tens of thousands of people).
VAGUE_BEFORE: dict[str, list[str]] = {
    "en": ["tens", "hundreds", "thousands", "millions", "dozens", "several", "many"],
    "ru": ["десятки", "десятков", "сотни", "сотен", "тысячи", "несколько", "нескольких",
           "многие", "многих"],
    "kk": ["ондаған", "жүздеген", "мыңдаған", "миллиондаған", "бірнеше", "көптеген"],
}

# Words that name a count of what follows (ru) or precedes (kk) them, for counts written after
# their noun: "число участников превысило 3800", "қатысушылар саны 200-ге жетті".
COUNT_NOUNS: dict[str, list[str]] = {
    "en": ["number"],
    "ru": ["число", "числа", "числе", "количество", "количества", "количестве", "численность",
           "численности"],
    "kk": ["саны", "санын", "санының", "санына", "саны-"],
}

# Qualifiers written before the number (folded words, space-separated) -> qualifier.
QUALIFIERS_BEFORE: dict[str, dict[str, str]] = {
    "en": {
        "more than": "more_than", "over": "more_than", "at least": "more_than",
        "upwards of": "more_than", "in excess of": "more_than", "well over": "more_than",
        "about": "approx", "around": "approx", "approximately": "approx", "roughly": "approx",
        "some": "approx", "nearly": "approx", "almost": "approx", "close to": "approx",
        "an estimated": "approx", "estimated": "approx", "about a": "approx",
        "up to": "up_to", "as many as": "up_to", "no more than": "up_to", "at most": "up_to",
        "not more than": "up_to", "less than": "less_than", "fewer than": "less_than",
        "under": "less_than", "below": "less_than",
    },
    "ru": {
        "более": "more_than", "больше": "more_than", "свыше": "more_than",
        "более чем": "more_than", "больше чем": "more_than", "не менее": "more_than",
        "не меньше": "more_than", "как минимум": "more_than", "по меньшей мере": "more_than",
        "минимум": "more_than", "около": "approx", "примерно": "approx", "приблизительно": "approx",
        "порядка": "approx", "почти": "approx", "практически": "approx", "ориентировочно": "approx",
        "где-то": "approx", "до": "up_to", "не более": "up_to", "не больше": "up_to",
        "вплоть до": "up_to", "максимум": "up_to", "менее": "less_than", "меньше": "less_than",
    },
    "kk": {
        "шамамен": "approx", "шамасы": "approx", "кем дегенде": "more_than", "кемінде": "more_than",
        "кемі": "more_than", "тек": "", "небәрі": "", "бар-жоғы": "", "барлығы": "",
    },
}

# Kazakh postpositions after a case-marked number: {case: {word: qualifier}}; "nom" ones follow
# a bare number ("100 шамасында адам").
QUALIFIERS_AFTER: dict[str, dict[str, dict[str, str]]] = {
    "en": {},
    "ru": {},
    "kk": {
        "abl": {"асты": "more_than", "асып": "more_than", "асқан": "more_than",
                "асады": "more_than", "астам": "more_than", "аса": "more_than",
                "артық": "more_than",
                "көп": "more_than",
                "асатын": "more_than", "астамы": "more_than", "кем": "less_than", "аз": "less_than"
                },
        "dat": {"жуық": "approx", "тарта": "approx", "таяу": "approx", "дейін": "up_to",
                "шейін": "up_to", "жетеқабыл": "approx", "жетті": "", "жетіп": "",
                "жеткен": "", "жетеді": "", "жуықтады": "approx"},
        "nom": {"шамасында": "approx", "шақты": "approx", "қаралы": "approx", "шамалы": "approx",
                "астам": "more_than", "аса": "more_than"},
    },
}

# Suffixes written on digits after a hyphen ("80-нен", "42-х", "5-ші") -> role. A suffix not
# listed makes the number not a count ("2019-жылы", "30-летний", "5-year").
DIGIT_SUFFIXES: dict[str, dict[str, str]] = {
    "en": {},
    "ru": {"х": "card", "ти": "card", "ми": "card", "ью": "card", "ух": "card", "ех": "card",
           "ем": "card", "ум": "card", "мя": "card", "ми": "card", "ем": "card", "ста": "card",
           "сот": "card", "ам": "card", "ями": "card"},
    "kk": {},  # filled from KK_CASE_SUFFIXES and KK_ORDINAL_SUFFIXES by the build step
}

# Kazakh case suffixes on numbers (all harmony variants) -> case.
KK_CASE_SUFFIXES: dict[str, str] = {
    **{s: "abl" for s in ("нан", "нен", "дан", "ден", "тан", "тен")},
    **{s: "dat" for s in ("ға", "ге", "қа", "ке", "а", "е")},
    **{s: "approx" for s in ("дай", "дей", "тай", "тей")},
    **{s: "other" for s in ("да", "де", "та", "те", "ның", "нің", "дың", "дің", "тың", "тің",
                            "ды", "ді", "ты", "ті", "ны", "ні", "мен", "бен", "пен", "ы", "і",
                            "ын", "ін", "н", "у", "ау", "еу", "ер", "ар", "ден-ақ")},
}
KK_ORDINAL_SUFFIXES: tuple[str, ...] = ("ші", "шы", "інші", "ыншы", "нші", "ншы")
# Endings of Kazakh collective numerals read as a count of people ("бесеуі", "екеуміз").
KK_COLLECTIVE_ENDINGS: tuple[str, ...] = ("", "і", "ы", "міз", "мыз", "ң", "сіз", "і де", "ін",
                                          "іне", "ына", "інің", "ының", "імен", "ымен", "інен",
                                          "ынан")
# Adjective suffixes that turn a unit that is not counted into a modifier ("15 минуттық ролик",
# "3 пайыздық тармақ"): the number then measures, it does not count.
KK_UNIT_ADJ_ENDINGS: tuple[str, ...] = ("лық", "лік", "дық", "дік", "тық", "тік")
# Kazakh past-tense endings: a word carrying one at the end of a clause is the predicate (Kazakh
# puts the verb last), not the counted noun ("... азық-түлік себетін жеткізді.").
KK_CLAUSE_VERB_ENDINGS: tuple[str, ...] = ("ды", "ді", "ты", "ті")

# Lemmas pymorphy3 ranks first that are wrong for news text ("статей" -> "стать").
LEMMA_OVERRIDES: dict[str, dict[str, str]] = {
    "en": {}, "kk": {},
    "ru": {"стать": "статья", "лёт": "год", "лет": "год", "мир": "мир", "люди": "человек"},
}

# What a collective numeral with no noun after it counts.
COLLECTIVE_NOUN: dict[str, str] = {"en": "person", "ru": "человек", "kk": "адам"}

# Counted-noun lemmas that make a number not a count: time, age, measure, money, dates.
NOT_COUNTED: dict[str, list[str]] = {
    "en": ["year", "month", "week", "day", "hour", "minute", "second", "decade", "century",
           "time", "percent", "per", "km", "kilometer", "kilometre", "mile", "meter", "metre",
           "kg", "kilogram", "gram", "ton", "tonne", "hectare", "ha", "liter", "litre", "degree",
           "dollar", "cent", "euro", "pound", "tenge", "som", "somoni", "ruble", "rouble", "manat",
           "yuan", "usd", "kzt", "eur", "rub", "am", "pm", "o'clock", "point", "a.m", "p.m",
           "january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
           "sep", "sept", "oct", "nov", "dec", "bc", "ad", "sq", "square", "cubic", "mb", "gb",
           "grade", "th", "st", "nd", "rd", "year-old", "years-old", "score", "goal", "third",
           "quarter",
           "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "half", "halve",
           "inch", "mci", "mrp",
           "yard", "foot", "mph", "kmh", "acre", "barrel", "cubic", "sq", "megawatt", "kilowatt",
           "gigawatt", "mw", "kw", "gw", "kwh", "calorie", "pixel", "bit", "byte", "volt"],
    "ru": ["год", "лет", "месяц", "неделя", "день", "сутки", "час", "минута", "секунда", "век",
           "десятилетие", "раз", "процент", "км", "километр", "метр", "м", "кг", "килограмм",
           "грамм", "тонна", "т", "гектар", "га", "литр", "градус", "доллар", "цент", "евро",
           "фунт", "тенге", "тнг", "сом", "сомони", "рубль", "руб", "манат", "юань", "usd", "kzt",
           "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
           "октябрь", "ноябрь", "декабрь", "г", "гг", "тыс", "балл", "очко", "мин", "сек", "ч",
           "долл", "лёт", "лета", "кв", "возраст", "класс", "курс", "мая", "год-", "летие",
           "миля", "дюйм", "унция", "фут", "ярд", "миллиметр", "сантиметр", "мм", "см",
           "калибр", "очки", "очко", "летний", "баррель", "ватт", "мегаватт", "киловатт", "номер",
           "треть", "четверть", "половина", "доля", "мрп", "мзп", "мрот", "процентный"],
    "kk": ["жыл", "ай", "апта", "күн", "тәулік", "сағат", "минут", "секунд", "ғасыр",
           "рет", "мәрте", "пайыз", "процент", "км", "шақырым", "метр", "м", "кг", "килограмм",
           "грамм", "тонна", "т", "гектар", "га", "литр", "градус", "доллар", "цент", "еуро",
           "евро", "фунт", "теңге", "тг", "сом", "сомони", "рубль", "манат", "юань", "usd",
           "kzt", "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
           "қыркүйек", "қазан", "қараша", "желтоқсан", "ж", "жж", "ұпай", "бап", "бөлік",
           "тармақ", "сынып", "курс", "млн", "млрд", "мың", "жастағы", "жасар", "жасында",
           "жылдық", "күндік", "айлық", "сағаттық", "жылғы", "жасқа", "жаста", "жасынан", "жастан",
           "жасындағы", "жастағылар", "жастағыларға", "жастағылардың", "миля",
           "дюйм", "келі", "кило", "фут", "балл", "балдық", "есе", "нөмір", "сантиметр",
           "миллиметр", "см", "мм", "ақш", "шаршы", "текше", "баррель", "ватт", "аек", "ежж"],
}

# Words right before a number that make it a label, not a count ("Article 401", "статья 205").
LABEL_BEFORE: dict[str, list[str]] = {
    "en": ["article", "articles", "art", "part", "paragraph", "para", "clause", "section",
           "chapter", "no", "nos", "number", "resolution", "decree", "page", "pages", "item",
           "room", "apartment", "flat", "house", "building", "route", "flight", "school", "case",
           "law", "order", "version", "grade", "class", "level", "phase", "stage", "volume", "vol",
           "aged", "age", "ages", "code", "tel", "phone", "fax", "mobile", "top", "covid",
           "january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
           "sep", "sept", "oct", "nov", "dec", "x", "score", "scored", "won", "lost", "beat",
           "category", "radio", "channel", "line", "gate", "platform",
           "terminal", "block", "unit", "lot", "size", "type", "model", "formula", "division",
           "league", "apollo", "windows", "iphone", "galaxy", "covid-19", "g", "ps"],
    "ru": ["статья", "статьи", "статье", "статьей", "статью", "статьям", "статьями", "ст",
           "часть", "части", "частью", "ч", "пункт", "пункта", "пункте", "пунктом", "п", "пп",
           "номер", "номером", "номера", "глава", "главы", "раздел", "раздела", "указ", "указа",
           "постановление", "постановления", "приказ", "приказа", "закон", "закона", "школа",
           "школы", "школе", "школу", "гимназия", "гимназии", "лицей", "лицея", "дом", "дома",
           "кв", "квартира", "стр", "рейс", "рейса", "тел", "телефон", "телефону", "факс",
           "счетом", "счёт", "счетом", "возрасте", "возраст", "covid", "корпус", "палата",
           "камера", "колония", "колонии", "учреждение", "учреждения", "версия", "версии",
           "класс", "класса", "уровень", "этап", "этапа", "сезон", "сезона", "тур", "тура"],
    "kk": ["бап", "бабы", "бабының", "бабына", "бабымен", "бабында", "бөлігі", "бөлігінің",
           "тармағы", "тармақ", "нөмірі", "нөмір", "мектеп", "мектебі", "мектебінде", "тел",
           "телефон", "сағат", "есеппен", "covid", "жасында", "жасы", "жаста", "қаулы",
           "қаулысы", "жарлық", "жарлығы", "бұйрық", "сынып", "үй", "пәтер"],
}

# Words between the terms of a ratio ("one in five children", "двое из трех", "үштен бірі").
RATIO_WORDS: dict[str, list[str]] = {
    "en": ["in", "out of", "in every", "out of every", "out of each"],
    "ru": ["из", "из каждых"],
    "kk": [],
}

# Words before a four-digit 1900-2099 number that make it a year ("in 2015 militants").
YEAR_BEFORE: dict[str, list[str]] = {
    "en": ["in", "since", "by", "from", "until", "till", "through", "of", "during", "before",
           "after", "early", "late", "mid", "between", "and", "to", "the", "year", "fiscal", "for",
           "spring", "summer", "autumn", "fall", "winter", "january", "february", "march", "april",
           "may", "june", "july", "august", "september", "october", "november", "december"],
    "ru": ["в", "во", "с", "со", "до", "по", "к", "на", "за", "от", "после", "между",
           "году", "год", "года", "начале", "конце", "середине", "весной", "летом", "осенью",
           "зимой", "январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе",
           "сентябре", "октябре", "ноябре", "декабре", "января", "февраля", "марта", "апреля",
           "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"],
    "kk": ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
           "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"],
}

# English: words that end a noun chunk after a number.
EN_STOP: list[str] = [
    "of", "in", "on", "at", "to", "from", "by", "for", "with", "without", "and", "or", "but",
    "nor", "the", "a", "an", "this", "that", "these", "those", "who", "whose", "which", "whom",
    "what", "where", "when", "were", "was", "are", "is", "be", "been", "being", "have", "has",
    "had", "will", "would", "can", "could", "should", "may", "might", "must", "shall", "do",
    "does", "did", "into", "onto", "per", "than", "as", "ago", "more", "less", "each", "percent",
    "out", "up", "down", "over", "under", "about", "across", "after", "before", "since", "until",
    "its", "his", "her", "their", "our", "my", "your", "them", "they", "we", "he", "she", "it",
    "us", "also", "not", "no", "so", "then", "there", "here", "all", "both", "only", "just",
    "still", "already", "always", "sometimes", "perhaps", "thus", "besides", "towards",
    "against", "among", "between", "through", "during", "including", "via", "among", "upon",
    "yet", "others", "another", "such", "very", "too", "again", "while", "if",
    "whether", "because", "although", "though", "says", "said", "is", "per", "cent", "percent",
    "times", "%", "am", "pm", "et", "al", "vs", "versus", "plus", "minus", "times", "respectively",
    "whereas", "like", "unlike", "around", "near", "inside", "outside", "within", "beyond",
]
# English plurals that do not end in -s, and nouns counted without a plural form.
EN_IRREGULAR: dict[str, str] = {
    "people": "people", "children": "child", "women": "woman", "men": "man",
    "policemen": "policeman", "policewomen": "policewoman", "servicemen": "serviceman",
    "clergymen": "clergyman", "chairmen": "chairman", "businessmen": "businessman",
    "countrymen": "countryman", "gentlemen": "gentleman", "spokesmen": "spokesman",
    "police": "police", "staff": "staff", "personnel": "personnel", "clergy": "clergy",
    "youth": "youth", "sheep": "sheep", "cattle": "cattle", "media": "media", "mujahideen":
    "mujahideen", "taliban": "taliban", "alumni": "alumnus", "criteria": "criterion",
    "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose", "wives": "wife",
    "lives": "life", "knives": "knife", "leaves": "leaf", "thieves": "thief", "series": "series",
    "species": "species", "persons": "person", "fellows": "fellow", "data": "data",
    "analyses": "analysis", "theses": "thesis", "crises": "crisis", "bases": "base",
    "kin": "kin", "offspring": "offspring", "aircraft": "aircraft", "militia": "militia",
    "troops": "troop", "news": "news", "buses": "bus", "statuses": "status",
}
# English word endings that are not plural nouns even though they end in -s.
EN_NOT_PLURAL_ENDINGS: tuple[str, ...] = ("ss", "us", "is", "ous", "'s", "ics")
# English modifiers after "one" that are not the counted noun ("one Kyrgyz woman").
EN_ADJECTIVE_ENDINGS: tuple[str, ...] = ("al", "ian", "ish", "ese", "ic", "ive", "ful", "ary",
                                          "ed", "ing", "able", "ible", "ani", "ean", "less")

# Kazakh: words that end the search for a counted noun.
KK_STOP: list[str] = [
    "мен", "бен", "пен", "және", "немесе", "да", "де", "та", "те", "ғана", "тек", "ал", "бірақ",
    "үшін", "туралы", "бойынша", "арқылы", "сияқты", "кейін", "бұрын", "соң", "дейін", "бері",
    "жуық", "астам", "аса", "артық", "кем", "көп", "аз", "бар", "жоқ", "еді", "екен", "болды",
    "болған", "болады", "болып", "болса", "болатын", "болмақ", "құрады", "құрайды", "құраған",
    "жетті", "жетеді", "жеткен", "асты", "асады", "асқан", "артты", "өсті", "азайды", "кеміді",
    "қатысты", "қатысады", "келді", "кетті", "оралды", "өтті", "өтеді", "тұрады", "тұр", "жатыр",
    "олар", "оның", "олардың", "бұл", "сол", "осы", "ол", "біз", "сіз", "мұнда", "онда", "ішінде",
    "ішіндегі", "арасында", "арасынан", "қатарында", "жылы", "жылдары", "саны", "санына",
    "дегенде", "шамасында", "шақты", "қаралы", "тарта", "таяу", "шейін",
    "әлі", "енді", "қазір", "тағы", "ғой", "па", "ма", "ме", "бе", "пе", "ба", "деп", "дейді",
    "деді", "яғни", "әрі", "не",
]
# Kazakh verb endings that stop the search for a counted noun.
KK_VERB_ENDINGS: tuple[str, ...] = (
    "ып", "іп", "ады", "еді", "йды", "йді", "уда", "уде", "мақ", "мек", "ыпты", "іпті", "ыды",
    "іді", "лды", "лді", "ған", "ген", "қан", "кен",
)
# Kazakh modifier endings (adjectives, participles, locative adjectives) skipped before the noun.
KK_MODIFIER_ENDINGS: tuple[str, ...] = (
    "ған", "ген", "қан", "кен", "атын", "етін", "йтын", "йтін", "тын", "тін", "лы", "лі", "сыз",
    "сіз", "шіл", "шыл", "дық", "дік", "тық", "тік", "лық", "лік", "нды", "нді", "йлы", "йлі",
    "и",
)
# Person nouns after which Kazakh "бір" counts one ("бір адам", "бір әйел"), not "a".
KK_ONE_NOUNS: list[str] = ["адам", "әйел", "бала", "ер", "қыз", "ұл", "азамат", "кісі", "жігіт",
                           "сарбаз", "полицей", "қызметкер", "тұрғын", "содыр", "күдікті"]
# Kazakh person nouns (besides KK_ONE_NOUNS and agent nouns in -шы/-ші): a person before a
# possessed noun is what is counted ("екі сарапшы тәжірибесімен", "бес бала анасы"), not the
# possessed noun as in "45 мектеп психологы".
KK_PERSON_NOUNS: list[str] = ["имам", "имам-хатиб", "студент", "журналист", "маман", "өкіл",
                              "мұғалім", "теолог", "психолог", "мүше", "ана", "жесір",
                              "отандас", "қандас", "мүфти", "наиб", "молда", "ұстаз", "дінбасы"]
KK_AGENT_ENDINGS: tuple[str, ...] = ("шы", "ші")
# Stems of Kazakh relational nouns that make postpositions with a possessive ("екі күн бойы",
# "екі мемлекет арасындағы", "операция аясында"): never the counted head of a compound.
KK_RELATIONAL_NOUNS: list[str] = [
    "бой", "ара", "аралық", "ая", "көлем", "шама", "маң", "алд", "арт", "іш", "іші", "үст", "аст",
    "жақ", "тұс", "тұ", "кез", "сырт", "орта", "соң", "барыс", "нәтиже", "шеңбер", "бөлік", "сан",
    "са", "мөлшер", "құрам", "қатар", "есеп", "негіз", "төңірек", "жан", "тарап", "бет", "мән",
]
# Kazakh "ер адам" (man), "әйел адам" (woman): the attributive noun is not the head.
KK_ATTRIBUTIVE: list[str] = ["ер", "әйел", "жас", "кәрі", "егде"]
KK_PERSON_HEADS: list[str] = ["адам", "кісі"]
# Locative adjectives right after a number name what is counted ("жеті қаладағы" = in 7 cities).
KK_LOCATIVE_ENDINGS: tuple[str, ...] = ("дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі")
# First nouns of a noun + possessed-noun compound whose second noun is the head: verbal nouns
# ("зерттеу жобасы" = research project, "оңалту орталығы"); otherwise the first noun is counted
# ("тоғыз конфессия өкілдері" = representatives of nine confessions).
KK_IZAFET_ENDINGS: tuple[str, ...] = ("у", "ю")
# Modifiers that are also not-counted nouns elsewhere ("жас" = young here, age in "14 жастағы").
KK_MODIFIER_OK: list[str] = ["жас"]  # bare "жас" = young (people); age is "жаста", "жастағы"
KK_ADJECTIVES: list[str] = [
    "жаңа", "жас", "орта", "ірі", "шағын", "үлкен", "кіші", "діни", "жергілікті", "шетелдік",
    "әртүрлі",
    "түрлі", "басқа", "негізгі", "ресми", "жалпы", "арнайы", "кәмелетке", "толмаған",
    "шектеулі", "әлеуметтік", "ұлттық", "халықаралық", "мемлекеттік", "ислам",
    "мұсылман", "христиан", "қазақ", "қырғыз", "тәжік", "өзбек", "орыс", "жетім", "бұрынғы",
    "қазіргі", "бүгінгі", "кейінгі", "соңғы", "алдыңғы", "ертеңгі", "былтырғы", "жоғарғы",
    "төменгі", "ішкі", "сыртқы", "жылғы", "бейбіт", "нақты", "белгілі", "белсенді", "тәжірибелі",
]
# Kazakh noun suffixes stripped to get the counted noun's dictionary form, by slot.
KK_NOUN_SUFFIXES: dict[str, list[str]] = {
    "case": ["ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "на", "не",
             "ны", "ні", "ды", "ді", "ты", "ті", "да", "де", "та", "те", "нда", "нде", "дан",
             "ден", "тан", "тен", "нан", "нен", "ндан", "нден", "мен", "бен", "пен", "менен",
             "бенен", "пенен", "а", "е", "н", "ндағы", "ндегі", "дағы", "дегі", "тағы", "тегі"],
    "poss": ["сы", "сі", "ы", "і", "лары", "лері", "дары", "дері", "тары", "тері", "ымыз",
             "іміз", "мыз", "міз", "ларымыз", "леріміз", "дарымыз", "деріміз", "тарымыз",
             "теріміз"],
    "plural": ["лар", "лер", "дар", "дер", "тар", "тер"],
}
# Case suffixes that only follow a possessive ending ("баласына", "имамын").
KK_AFTER_POSS_ONLY: list[str] = ["а", "е", "н", "на", "не", "нда", "нде", "ндан", "нден",
                                 "ндағы", "ндегі"]
# Kazakh stems whose vowel drops before a vowel suffix ("халқы" -> "халық").
KK_STEM_ALIASES: dict[str, str] = {"халқ": "халық", "орн": "орын", "ауз": "ауыз", "мұрн": "мұрын",
                                   "ерн": "ерін", "ұғл": "ұл", "қойн": "қойын", "ойн": "ойын",
                                   "бөрк": "бөрік", "нарқ": "нарық", "қарн": "қарын"}
# Kazakh nouns of this beat, protected from over-stripping ("отбасы", "доллар", "қатысушы").
KK_NOUNS: list[str] = [
    "адам", "әйел", "бала", "имам", "имам-хатиб", "отбасы", "доллар", "азамат", "қатысушы",
    "тұрғын", "қызметкер", "жасөспірім", "студент", "оқушы", "мұғалім", "өкіл", "маман",
    "сарапшы", "журналист", "дінтанушы", "теолог", "кездесу", "тренинг", "семинар", "жиын",
    "іс-шара", "шара", "ойын", "мешіт", "шіркеу", "ел", "қала", "аудан", "облыс", "ауыл",
    "мектеп", "жоба", "кітап", "мақала", "бейнеролик", "тұтқын", "содыр", "экстремист",
    "лаңкес", "қыз", "ұл", "ер", "ана", "жесір", "немере", "отандас", "қандас", "полицей",
    "сотталушы", "күдікті", "мүше", "ұйым", "қауымдастық", "бірлестік", "топ", "орталық",
    "мекеме", "медресе", "университет", "колледж", "дәріс", "конференция", "форум", "сауда",
    "дүкен", "жер", "үй", "жамағат", "мүфти", "наиб",
    "волонтер", "ерікті", "психолог", "теолог", "әкімдік", "мемлекет", "аймақ",
    "өңір", "түрме", "колония", "сабақ", "курс", "кеңес", "жобасы",
    "қазақстандық", "шетелдік", "оралман", "баспасөз",
    "жұмысшы", "тілші", "әскери", "сарбаз", "қызметші", "кітапша", "брошюра", "парақша",
    "видео", "ролик", "сайт", "арна", "пост", "жарияланым", "материал", "аудитория", "көрермен",
    "тыңдаушы", "оқырман", "қажы", "дерек", "бет", "алаң", "жігіт", "оқытушы", "ұстаз", "дінбасы",
    "молда", "пастор", "священник", "том",
]
