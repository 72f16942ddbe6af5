"""Questions as typed to questions the engine can run: cleaned, checked, and split into speaker and topic.

"What did Rutte say about Russia?", "Did Trump say anybody is playing him?", "Rutte quote",
"How did Vance describe the war?" and "What is Peskov's position on sanctions?" are speaker
questions: the answer must be that person's own words. Everything else is a fact question
answered from the best-matching passage.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from .articles import parse_date
from .errors import BadQuestion
from .names import TITLE_WORDS, fold_name
from .text import STOP_WORDS, tokens

#: Longest question accepted; a question is a sentence or two, not an article.
MAX_QUESTION_CHARS = 500

_SAY = (
    r"say|said|saying|says|tell|told|telling|write|wrote|written|writing|post|posted|tweet|tweeted|claim|claimed|"
    r"state|stated|argue|argued|mean|meant|think|thought|describe|described|call|called|announce|announced|"
    r"warn|warned|add|added|respond|responded|reply|replied|comment|commented|report|reported|suggest|suggested|"
    r"predict|predicted|promise|promised|insist|insisted|explain|explained|note|noted|reveal|revealed|"
    r"admit|admitted|acknowledge|acknowledged|urge|urged|ask|asked|demand|demanded|testify|testified|"
    r"characteri[sz]e|characteri[sz]ed|react|reacted|feel|felt|believe|believed|promise|vow|vowed"
)
_AUX = r"did|does|do|has|have|had|is|was|were|will|would|could|can"
#: The stems of the verbs of saying above: the verb asked with is never part of the topic.
_SAY_STEMS = frozenset(tokens(" ".join(w for w in _SAY.split("|") if w.isalpha())))
_SPEAKER_PATTERNS = (
    re.compile(rf"^(?:so\s+|and\s+)?(?:what|how)\s+(?:exactly\s+|else\s+)?(?:{_AUX})\s+(?P<who>.+?)\s+(?:(?:have|has|had|just|really|actually|recently|ever|first)\s+)*(?P<verb>{_SAY})\b(?P<rest>.*)$"),
    re.compile(rf"^(?:{_AUX})\s+(?P<who>.+?)\s+(?:(?:really|actually|ever|recently|just)\s+)*(?P<verb>{_SAY})\b(?P<rest>.*)$"),
    re.compile(r"^what\s+(?:is|was|are|were)\s+(?P<who>.+?)(?:'s|s')\s+(?:position|stance|view|views|reaction|response|message|statement|comment|comments|remarks|words|quote|argument|take)\b(?P<rest>.*)$"),
    re.compile(r"^what\s+(?:message|warning|statement|comments?|remarks?|words|quote|quotes)\s+did\s+(?P<who>.+?)\s+(?:send|give|make|issue|deliver|post|share|offer)\b(?P<rest>.*)$"),
    re.compile(r"^(?:quotes?\s+(?:from|by)\s+)(?P<who>.+?)(?P<rest>(?:\s+(?:about|on|regarding)\b.*)?)$"),
    re.compile(r"^(?P<who>[^\s].{0,60}?)(?:'s|s')?\s+(?:quotes?|remarks|comments|statements?|words)(?P<rest>(?:\s+(?:about|on|regarding)\b.*)?)$"),
    # "What reason did Moya give for …", "what explanation did the club offer"
    re.compile(r"^what\s+(?:reasons?|explanation|excuse|answer|advice|assurances?|promises?)\s+(?:did|does|has|have|had|will|would)\s+(?P<who>.+?)\s+(?:give|offer|provide|have|make|send)\b(?P<rest>.*)$"),
    # "Did Jeremy Irons have any doubts about …", "has the club voiced concerns over …"
    re.compile(r"^(?:did|does|do|has|have|had)\s+(?P<who>.+?)\s+(?:have|has|had|express|expressed|voice|voiced|show|raise|raised)\s+(?:any\s+)?(?P<verb>doubts?|concerns?|worries|fears|regrets|hopes|reservations|misgivings|criticism|praise)\b(?P<rest>.*)$"),
    # "was Butragueno annoyed about …", "is the minister happy with …"
    re.compile(r"^(?:was|is|were|are)\s+(?P<who>.+?)\s+(?P<verb>annoyed|angry|happy|unhappy|upset|pleased|disappointed|worried|concerned|surprised|furious|delighted|confident|optimistic|pessimistic|sorry|critical|supportive|satisfied)\b(?P<rest>.*)$"),
)
_MENTION_MARKUP = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_TOPIC_LEAD = re.compile(r"^(?:\s*(?:about|on|regarding|concerning|of|to|in|with|when|as|that|the))+\b", re.IGNORECASE)
_SPEECH_WORDS = frozenset(
    "statement statements report reports post posts letter tweet tweets message remarks comments speech interview".split()
)
_PRONOUN_WHO = frozenset("he she they it i you we him her them this that who".split())
# When, not what: "latest …" and "… as of May 10" choose among articles by date; they are not a
# topic the answer must be about.
_RECENT = re.compile(
    r"\b(?:latest|most recent|newest|recently|lately|currently|right now|so far|these days|this week|today)\b", re.IGNORECASE
)
_AS_OF = re.compile(r"\bas of\s+([^?!]+?)\s*[?!.]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Question:
    """A checked question, ready to answer."""

    text: str  # as asked, cleaned of chat markup
    terms: tuple[str, ...]  # index terms of the whole question
    speaker: str | None = None  # who, for speaker questions, as typed ("the NATO secretary general")
    name: tuple[str, ...] = ()  # the speaker's name words, folded ("mark", "rutte"); empty if only a title
    name_surface: tuple[str, ...] = ()  # the same words as typed ("Mark", "Rutte"), for index terms
    title: tuple[str, ...] = ()  # role words given for the speaker ("nato", "secretary", "general")
    topic: tuple[str, ...] = ()  # index terms of what they spoke about
    verb: str | None = None
    #: True for "latest …" questions, the date for "… as of May 4, 2025", else None.
    when: date | bool | None = None
    #: "quote" when the question asks for someone's words, view or reaction; else "fact".
    intent: str = "fact"
    #: The kind of answer asked for (see :func:`wanted`), or None.
    wants: str | None = None


def when_asked(text: str) -> date | bool | None:
    """``True`` for "latest …" questions, the date for "… as of May 4, 2025", else None."""
    as_of = _AS_OF.search(text)
    if as_of:
        return parse_date(as_of.group(1)) or True
    return True if _RECENT.search(text) else None


def clean(raw: str) -> str:
    """Remove chat markup (mentions, emphasis, quote bars) and fold whitespace."""
    text = _MENTION_MARKUP.sub(" ", raw)
    text = re.sub(r"^\s*>+\s?", "", text, flags=re.MULTILINE)
    text = re.sub(r"(\*\*|__|~~|`+|\|\|)", "", text)
    return " ".join(text.split())


def parse_question(raw: str) -> Question:
    """Check and parse a question; raises :class:`BadQuestion` with a message for the asker."""
    if len(raw) > MAX_QUESTION_CHARS * 4:
        raise BadQuestion(
            f"That is {len(raw):,} characters; a question can be at most {MAX_QUESTION_CHARS} characters long."
        )
    text = clean(raw)
    if not text:
        raise BadQuestion("Ask a question about the coverage, for example: What did Rutte say?")
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuestion(
            f"That is {len(text):,} characters; a question can be at most {MAX_QUESTION_CHARS} characters long."
        )
    terms = tuple(tokens(text))
    if not terms:
        if not any(ch.isalnum() for ch in text):
            raise BadQuestion("That question has no words to search for; ask in words, for example: What did Rutte say?")
        raise BadQuestion("That question has only common words (like 'what' or 'the'); add a name or a topic.")
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD).strip().rstrip("?!. ").strip()
    when = when_asked(text)
    for pattern, probe in itertools.product(_SPEAKER_PATTERNS, dict.fromkeys((_names_kept(folded), folded.lower()))):
        match = pattern.match(probe)
        if not match:
            continue
        who = folded[match.start("who") : match.end("who")].strip(" ,'\"")
        parsed = _speaker_question(text, terms, who, match.groupdict().get("verb"), folded[match.start("rest") :])
        if parsed is not None:
            return replace(parsed, when=when, intent="quote", wants=wanted(text))
    intent = "quote" if _VIEW.search(folded) else "fact"
    return Question(text=text, terms=terms, when=when, intent=intent, wants=wanted(text))


def _names_kept(folded: str) -> str:
    """The question lower-cased for the patterns, except words capitalised mid-question: they are a
    name or a title ("Secretary of State John Kerry", "Head of State"), so a verb of saying among them
    ("State", "Call", "Post") is not the verb asked with. A question in capitals, or in Title Case
    (a common word such as "Did" or "About" capitalised), says nothing by its capitals."""
    words = list(re.finditer(r"[^\W\d_]+", folded))[1:]
    titled = any(w.group()[1:].islower() and w.group()[0].isupper() and w.group().lower() in STOP_WORDS for w in words)
    if titled or folded.isupper():
        return folded.lower()
    probe = list(folded.lower())
    for word in words:
        if word.group()[0].isupper():
            probe[word.start()] = word.group()[0]  # an upper-case initial matches no pattern's verb
    return "".join(probe)


def without_speaker(question: Question) -> Question:
    """The question as a fact question: no speaker, every word of it what the answer must be about."""
    intent = "quote" if _VIEW.search(question.text) else "fact"
    return replace(question, speaker=None, name=(), name_surface=(), title=(), topic=(), intent=intent)


#: Words asking for someone's words, view or reaction: a question with one wants a statement.
_VIEW = re.compile(
    r"\b(?:say|says|said|saying|tell|told|think|thinks|thought|react|reacted|reaction|respond|responded|response|"
    r"reply|replied|comment|commented|comments|remarks?|views?|opinion|position|stance|message|statement|claim|claimed|"
    r"argue|argued|warn|warned|admit|admitted|deny|denied|apologi[sz]e[ds]?|apology|describe|described|praise|praised|"
    r"critici[sz]e[ds]?|complain|complained|insist|insisted|explain|explained|doubts?|worried|hope|hoped|hopes|"
    r"make of|feel|feels|felt|annoyed|angry|happy|pleased|disappointed|reason did|quote|quoted)\b",
    re.IGNORECASE,
)

#: The kinds of answer a question can ask for, by its opening (and a few telltale phrases).
_WANTS = (
    ("amount", re.compile(r"\bhow (?:much|expensive|costly|big|large|rich)\b|^\s*what (?:did|does|will|would) .{1,60}? (?:pay|cost|charge|earn|make)\b|\bwhat(?:'s| is| was) the (?:price|cost|value|fee|budget|bill|figure)\b")),
    ("number", re.compile(r"\bhow (?:many|long|old|far|tall|high|often|fast|quick|quickly|soon|heavy|deep|wide)\b|\bwhat (?:percentage|percent|proportion|share|number|score|rate|age|speed|size|total)\b|\bwhat(?:'s| is| was| were) the (?:score|result|margin|rate|percentage|proportion|share|number|total|size|speed|age|scoreline)\b")),
    ("date", re.compile(r"^\s*when\b|\bwhat (?:year|date|day|month|time|decade|century)\b|\b(?:in|by|since|until) (?:what|which) (?:year|date|month|day)\b")),
    ("reason", re.compile(r"\bwhy\b|\bhow come\b|\bwhat(?:'s| is| was| are| were)? (?:behind|the reason|the cause)\b|\bwhat (?:caused|led to|prompted|drove)\b")),
    ("place", re.compile(r"^\s*where\b|\b(?:which|what) (?:country|countries|city|cities|town|region|area|place|venue|stadium|county|state|nation|festival|ground)\b")),
    ("person", re.compile(r"^\s*(?:who|whom|whose)\b|\b(?:which|what) (?:player|man|woman|person|people|judge|minister|manager|coach|politician|actor|actress|singer|star|director|official|boss|firm|company|companies|team|club|band|group|body|organisation|organization|prop|striker|keeper|rival|side)\b|\bwho(?:'s| is| was| were| did| got| will)\b")),
    ("name", re.compile(r"\bwhat(?:'s| is| was)? the (?:name|title|url|address|web address|website)\b|\bwhat(?:'s| is| was| are| were)? .{1,40}? called\b|^\s*which\b|\bwhat (?:song|film|book|law|programs?|programmes?|software|product|service|brand|album|show|drug|technology)\b")),
)


def wanted(text: str) -> str | None:
    """What kind of answer a question asks for: "amount", "number", "date", "reason", "place",
    "person", "name" — or None when its wording does not say."""
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    for kind, pattern in _WANTS:
        if pattern.search(lowered):
            return kind
    return None


def _speaker_question(text: str, terms: tuple[str, ...], who: str, verb: str | None, rest: str) -> Question | None:
    words = [w for w in re.split(r"[\s,]+", who) if w]
    described = bool(words) and words[0].lower() in ("the", "a", "an")
    if described:
        words = words[1:]
    possessive = [w.lower().endswith(("'s", "\u2019s", "s'")) for w in words]
    words = [re.sub(r"(?:['\u2019]s|(?<=s)['\u2019])$", "", w) if len(w) > 2 else w for w in words]
    if not words or len(words) > 8 or all(w.lower() in _PRONOUN_WHO for w in words):
        return None
    words = [w for w in words if fold_name(w)]
    folded = [fold_name(w) for w in words]
    if not folded:
        return None
    # Leading role words ("President Trump", "the NATO secretary general") describe the speaker.
    lead = 0
    while lead < len(folded) and (
        folded[lead] in TITLE_WORDS
        or (_looks_like_org(words[lead]) and lead + 1 < len(folded) and folded[lead + 1] in TITLE_WORDS)
    ):
        lead += 1
    if lead == len(folded) and not described:
        lead -= 1  # "What did King say?": a surname that is also a role word
    if described and not lead and not any(ch.isupper() for w in words for ch in w):
        # "What is the area called …", "Is the output … characterised as …": a thing, not a speaker.
        return None
    if 0 < lead < len(folded) and folded[lead] in ("of", "for"):
        # "the Bishop of Lindford", "the Mayor of London": a role and its place, not a name — unless a
        # first name and surname follow the one-word place ("Secretary of State for Defence Geoff
        # Hoon", "Chancellor of the Exchequer Gordon Brown").
        place = lead
        while place < len(folded) and folded[place] in ("of", "for"):
            place += 1 + (place + 1 < len(folded) and folded[place + 1] == "the")
            place += 1
        named = words[place:]
        lead = place if len(named) >= 2 and all(w[:1].isupper() and fold_name(w) not in TITLE_WORDS for w in named) else len(folded)
    cased = any(ch.isupper() for w in words for ch in w)
    inner_title = max((i for i in range(len(folded) - 1) if folded[i] in TITLE_WORDS), default=-1)
    if inner_title >= lead and all(w[:1].isupper() and fold_name(w) not in TITLE_WORDS for w in words[inner_title + 1 :]):
        # "Tory leader Michael Howard": a description, then the name.
        lead = inner_title + 1
    elif len(folded) > 1 and folded[-1] not in _SPEECH_WORDS and (described or any(possessive[:-1])) and (
        folded[-1] in TITLE_WORDS or (cased and words[-1].islower())
    ):
        # "the Wippit boss", "the LA Daily News critic", "CSI's co-producer": an organisation and a role.
        lead = len(folded)
    kept = [(f, w) for f, w in zip(folded[lead:], words[lead:]) if f not in STOP_WORDS]
    # "the G7 statement", "Trump's post": the trailing word names the words, not the speaker.
    if len(kept) > 1 and kept[-1][0] in _SPEECH_WORDS:
        rest = f"{kept.pop()[1]} {rest}"
    name = tuple(f for f, _ in kept)
    surface = tuple(w for _, w in kept)
    title = tuple(folded[:lead])
    if not name and not title:
        return None
    topic_text = _TOPIC_LEAD.sub("", _RECENT.sub(" ", _AS_OF.sub(" ", rest))).strip()
    topic = tuple(t for t in tokens(topic_text) if t not in _SAY_STEMS) if topic_text else ()
    return Question(
        text=text, terms=terms, speaker=" ".join(words), name=name, name_surface=surface, title=title, topic=topic, verb=verb
    )


def _looks_like_org(word: str) -> bool:
    """An acronym such as NATO or G7 before a role word names the organisation, not the person."""
    return len(word) >= 2 and word.isupper() and any(ch.isalpha() for ch in word)
