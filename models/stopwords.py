"""Stop words per language: function words that carry no topic, for bag-of-words features.

One table keyed by language code, so adding a language is one entry. Words are in the folded
form that `models.normalize.fold` produces (lower case, ё written as е).
"""
from __future__ import annotations

_EN = """
a about above after again against all almost also although always am among an and another any
anyone anything are around as at away back be became because become been before being below
between both but by can cannot could did do does doing done down during each either else even
ever every few for from further get gets getting got had has have having he her here hers
herself him himself his how however i if in into is it its itself just last least less like made
make many may me might more most much must my myself never new next no nor not now of off often
on once one only or other others our ours ourselves out over own per perhaps put rather really
said same say says see seen several she should show since so some something still such take
than that the their theirs them themselves then there therefore these they this those though
three through thus to too two under until up upon us very via was way we well were what whatever
when where whether which while who whom whose why will with within without would yet you your
yours yourself mr mrs ms year years told including
"""

_RU = """
а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для
до его ее ей ему если есть еще же за здесь и из или им их к как ко когда кто ли либо между
меня мне может мы на над надо наш не него нее нет ни них но ну о об однако он она они оно от
очень по под при с со так также такой там те тем то того тоже той только том ты у уже хотя
чего чей чем что чтобы чье чья эта эти это этого этой этом этот я ее их свой своей своего
своих свои свою своим сам сама само сами самом который которая которое которые которого
которой котором которых которым которую будет будут были будучи более менее всё вся всю всем
нам нами них ним ними нем ней сейчас теперь тогда потом после перед через около вместе ввиду
пока раз разве кроме среди против ради чуть лишь именно между этим этих этому этою эту
также словам сообщил сообщила сообщили сообщает заявил заявила заявили отметил отметила
передает пишет сказал сказала году года год будто мол впрочем поэтому потому зато либо нибудь
"""

_KK = """
және мен бен пен да де та те ал бірақ немесе не яғни сондықтан себебі өйткені егер онда осы
сол бұл ол олар біз сіз сен мен менің сенің оның біздің сіздің олардың оны оған одан онымен
бұны бұған бұдан мұны мұнда сонда осында анау мынау барлық бәрі әр әрбір кейбір басқа өз
өзі өзінің өздері үшін туралы бойынша арқылы сияқты секілді дейін кейін бері соң бұрын
қарай шейін гөрі қатар бірге бар жоқ еді екен емес болды болып болса болады болған болатын
болмақ бол деп деді дейді делінген айтты айтады атап өтті хабарлайды жазады тағы енді әлі
қазір бүгін ғана ғой ма ме ба бе па пе ше шы ші қой-ау тек тіпті да-дағы ия жоқ әрі сонымен
қатар алайда дегенмен сонда соның осының мұның бұның мына ана сондай осындай мұндай
қандай қалай қашан қайда кім не неге неше ешкім ешнәрсе жыл жылы жылғы
өзің қай қанша бірнеше ештеңе ешқандай бүкіл қана ау әй иә болу бола деген таман салым ретінде
жөнінде жайлы ішінде сыртында үстінде астында алдында артында арасында кезде кезінде кейде
әлдеқашан өте ең тым аса біраз көп аз кем артық сонан иа құрлы шамасы онан
"""

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(_EN.split()),
    "ru": frozenset(_RU.split()),
    "kk": frozenset(_KK.split()),
}


def stop_words(lang: str) -> frozenset[str]:
    """The stop list for `lang`; languages without one get an empty set (nothing filtered)."""
    return STOP_WORDS.get(lang, frozenset())
