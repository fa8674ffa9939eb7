"""Page furniture as data: one table of whole-line patterns, each with its kind and place.

A rule matches only a WHOLE line (stripped), and each pattern is written so that a real
sentence that merely starts like furniture ("Source: the Reserve Bank's statement shows
growth slowing.", "Copyright holders will be able to sue …") does not match: furniture
lines are short, name-like or list-like, and rarely end in a full stop after a verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

FurnitureKind = Literal[
    "source",
    "comments",
    "share",
    "navigation",
    "related",
    "read-more",
    "copyright",
    "posted",
    "tags",
    "newsletter",
    "cookie",
    "photo",
    "wire",
    "author",
    "paywall",
    "syndication",
    "advert",
]

_NAME = r"[A-Z][\w.'’&-]*(?:\s+(?:[A-Z][\w.'’&-]*|and|&|de|van|von|der|la|le|al|bin|of))*"
_NETWORKS = (
    r"(?:facebook|twitter|x|email|e-mail|linkedin|whatsapp|reddit|pinterest|print|telegram|"
    r"messenger|flipboard|threads|bluesky|mastodon|copy\ link|tweet|pin\ it|sms)"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WHEN = (
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s*\d{{0,4}}|\d{{1,2}}\s+{_MONTH}\s*\d{{0,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?"
    r"|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?)"
)


@dataclass(frozen=True)
class FurnitureRule:
    """One kind of furniture line. ``where``: "anywhere" lines are dropped wherever they stand;
    "trailer" lines start a comment section that may be cut with everything after it."""

    kind: FurnitureKind
    pattern: re.Pattern[str]
    where: Literal["anywhere", "trailer"] = "anywhere"


def _rule(
    kind: FurnitureKind, regex: str, where: Literal["anywhere", "trailer"] = "anywhere"
) -> FurnitureRule:
    # Case-insensitive, except capitals that mark a name: "[A-Z]" stays upper-case only.
    regex = regex.replace("[A-Z]", "(?-i:[A-Z])")
    return FurnitureRule(kind, re.compile(rf"^(?:{regex})$", re.I | re.X), where)


# The table. Order matters only for which kind is reported when two could match.
RULES: tuple[FurnitureRule, ...] = (
    # "source:- wantchinatimes.com", "Source: Reuters"; not "Source: the bank's statement …".
    _rule("source", r"(?:source|via|originally\ published\ (?:at|on|by))\s*[:\-–—]+\s*"
          r"(?:\S+\.(?:com|org|net|co|cn|uk|io|news)\S*|[\w.&'’-]+(?:\s+[\w.&'’-]+){0,4}(?<![.!?]))"),
    _rule("comments", r"comments\ are\ closed\.?|\d+\s+comments?\s*:?"
          r"|(?:show|view|load|read)\s+(?:all\s+)?\d*\s*comments"
          r"|post\ a\ comment|(?:leave|add|write)\ a\ (?:comment|reply)|join\ the\ conversation"
          r"|comments?\s*(?:\(\d+\))?\s*:?|no\ comments?\s*:?", "trailer"),
    _rule("share", rf"(?:share|share\ this(?:\ article|\ story|\ post)?|sharing\ is\ caring)"
          # Separators and names never overlap, so a long non-matching line fails fast.
          rf"\s*[:!]?(?:[\s,|·/]+{_NETWORKS})*[\s,|·/]*"
          rf"|{_NETWORKS}(?:[\s,|·/]+{_NETWORKS})*"
          rf"|(?:click\ to\ )?(?:share|email|print)(?:\ (?:on|to|a\ link\ to)\ \w+)?"
          rf"(?:\ \(opens\ in\ new\ window\))?|opens\ in\ new\ window"
          rf"|(?:share|send)\ (?:via|by|on)\ {_NETWORKS}|print\ (?:this\ )?(?:page|article|story)"
          r"|listen\ to\ (?:this\ )?(?:article|story)(?:\s*[(\[]?\s*\d+\s*min(?:ute)?s?\W*)?"),
    _rule("navigation", r"home|menu|search|skip\ to\ (?:main\ )?content|back\ to\ top|newer\ post"
          r"|older\ post|next\ (?:article|story|post)|previous\ (?:article|story|post)"
          r"|sign\ in|log\ in|log\ out|register|my\ account|topics|sections"
          r"|privacy\ policy|terms\ (?:of\ (?:use|service)|and\ conditions)"
          r"|(?:terms\ of\ use|privacy\ policy|cookie\ policy|contact\ us|about\ us)"
          r"(?:\s*[|•·]\s*(?:terms\ of\ use|privacy\ policy|cookie\ policy|contact\ us"
          r"|about\ us|advertise|careers))+"
          r"|(?:home|news|world|business|sport|politics|tech(?:nology)?|opinion|culture)"
          r"(?:\s*(?:[|>»/›•]|\s-\s)\s*[A-Z][\w&' ]{0,20}){1,5}"),
    _rule("related", r"(?:related(?:\ (?:articles?|posts?|stories|news|coverage|content|topics))?"
          r"|you\ may\ also\ like|you\ might\ also\ like"
          r"|recommended(?:\ for\ you)?|most\ (?:read|popular|viewed)|trending(?:\ now)?"
          r"|also\ read|see\ also|more\ on\ this\ story|top\ stories|read\ next"
          r"|editor'?s\ picks?|(?:latest|more)\ (?:news|stories|videos))\s*:?"
          # "More from Reuters" is a link heading; "More from the press conference:" opens a
          # quote that follows, so a colon keeps it.
          r"|more\ from\ [^:.!?]{1,40}"),
    _rule("read-more", r"read\ (?:more|the\ full\ story|full\ article)(?:\s*(?:»|>>|→|\.\.\.|…|:)"
          r".{0,120})?|continue\ reading(?:\ the\ main\ story)?\W*"
          r"|click\ here\ to\ (?:read|subscribe|see|view|learn)"
          r"[^.!?]{0,60}|follow\ us\ on\ [^.!?]{1,60}"),
    # "© 2024 Example News", "Copyright 2014 Want China Times. All rights reserved."; never
    # "(c) the minister must …" or "Copyright holders will …" (lowercase after the mark).
    _rule("copyright", r"(?:copyright\s*)?(?:©|\(c\))\s*(?:\d{4}|[A-Z])[^.!?]{0,100}"
          r"(?:\.\s*all\ rights\ reserved\.?)?"
          r"|copyright\s+(?:\d{4}|©)[^!?]{0,120}"
          r"|(?:copyright\s+)?(?:\d{4}\s+)?[A-Z][\w.&'’ -]{0,60}\.?\s*all\ rights\ reserved\.?"
          r"|all\ rights\ reserved\.?"),
    # "Posted by Jane Smith at 10:42 AM"; never "Posted by courier on Monday, the letters …".
    _rule("posted", rf"posted\ by\ {_NAME}\s+(?:at|on)\s+{_WHEN}[\w\s,:.]{{0,30}}"
          rf"|posted\s*(?:at|on)?\s*:?\s*{_WHEN}[\w\s,:.]{{0,30}}"
          r"|subscribe\ to\s*:.*"),
    _rule("tags", r"(?:labels?|tags?|topics?|filed\ under|categories)\s*:\s*[^.!?]{0,200}"),
    _rule("newsletter", r"(?:sign\ up|subscribe)(?:\ (?:now|today|here))?"
          r"(?:\ (?:to|for)\ (?:our|the)\ [\w' -]{0,40}(?:newsletter|briefing|emails?|alerts?)"
          r"[^.!?]{0,80})?[.!]?|(?:get|want)\ (?:our|the)\ [\w' -]{0,40}newsletter[^.?]{0,80}[.!?]?"
          r"|enter\ your\ email(?:\ address)?[^.!?]{0,60}[.!]?|newsletter\ sign[\s-]?up"
          r"|newsletters?"
          r"|get\ the\ latest\ [\w' -]{0,40}\ (?:delivered\ )?(?:to|in)\ your\ inbox[.!]?"
          r"|thank\ you\ for\ subscribing[.!]?|by\ signing\ up,?\ you\ agree\ to\ our\ .{0,120}"),
    # A banner talks about the reader's visit; "We use cookies sparingly, the company's
    # privacy chief told MPs." does not.
    _rule("cookie", r"(?:we|this\ (?:site|website))\ uses?\ cookies\b(?=.*\b(?:experience"
          r"|personali[sz]e|advert|ads|analytics|consent|accept|agree|polic|continu|brows"
          r"|our\ (?:site|website)|this\ (?:site|website)))\s*.{0,200}"
          r"|by\ (?:continuing\ to\ use|using)\ (?:this|our)\ (?:site|website)[^!?]{0,120}"
          r"cookies[^!?]{0,60}"
          r"|accept(?:\ all)?\ cookies|cookie\ (?:policy|settings|preferences)"
          r"|manage\ (?:cookies|consent|preferences)|reject\ all|accept\ all"),
    # "Photo: Getty Images"; never "Photo: the minister arrives …" (a caption sentence).
    _rule("photo", r"(?:photo(?:graph)?|image|picture|pic|illustration|video)s?"
          r"(?:\ credit)?\s*[:/]\s*(?:[A-Z][\w.&'’-]*(?:\s*[/|,]?\s*[A-Z][\w.&'’-]*){0,5}"
          r"(?:\ via\ [A-Z][\w.&'’ -]{0,30})?)"
          r"|\(?(?:photo|image|picture)\ by\ [A-Z][\w.'’-]*(?:\ [A-Z][\w.'’-]*){0,3}"
          r"(?:\s*/\s*[A-Z][\w.&'’ -]{0,30})?\)?"
          r"|image\ (?:source|caption),\ [^\n]{1,200}"
          r"|[A-Z][\w.'’-]*(?:\ [A-Z][\w.'’-]*){0,3}\s*/\s*(?:getty\ images|reuters|ap|afp|"
          r"epa|shutterstock|alamy|bloomberg)"),
    # "Reporting by Jane Smith; Editing by Tom Brown"; "(Reporting by …)".
    _rule("wire", r"\(?\s*(?:additional\ )?(?:reporting|writing|editing|compiled)\ by\ "
          r"[A-Z][^.!?;]{0,200}(?:;\s*(?:additional\ )?(?:reporting|writing|editing)\ by\ "
          r"[A-Z][^.!?;]{0,120})*\.?"
          r"|(?:\(\s*)?(?:©\s*)?(?:reuters|ap|afp|bloomberg|associated\ press|xinhua)"
          r"(?:\s+\d{4})?\s*\)?"
          r"|our\ standards:\ the\ thomson\ reuters\ trust\ principles\.?"
          r"|(?:the\ )?[A-Z][\w.'’ -]{0,100}\ contributed\ (?:to\ this\ report|reporting)"
          r"[^.!?]{0,80}\.?"),
    # Author boxes: "About the author", "Jane Smith is a reporter at Example News." stays
    # (a sentence); only the heading and contact lines go.
    _rule("author", r"about\ the\ authors?|(?:follow|contact|email)\ (?:the\ )?(?:author|"
          r"reporter|me|her|him)\s*(?:on|at)?\s*:?\s*[@\w.:/ -]{0,60}"
          r"|@[A-Za-z0-9_]{2,30}|more\ (?:articles|stories)\ by\ [A-Z][\w'’ -]{0,40}"),
    _rule("paywall", r"(?:subscribe|log\ in|sign\ in)\ to\ (?:continue\ )?(?:reading|read\ more"
          r"|unlock|keep\ reading)[^.!?]{0,60}[.!]?"
          r"|this\ (?:article|content|story)\ is\ (?:for|available\ to)\ (?:subscribers|members)"
          r"(?:\ only)?[.!]?|already\ a\ subscriber\??[^.!?]{0,40}"
          r"|you\ have\ \d+\ free\ articles?\ (?:left|remaining)[^.!?]{0,40}[.!]?"
          r"|subscribers?\ only"),
    _rule("syndication", r"this\ (?:article|story)\ (?:was\ |is\ |has\ been\ )?(?:originally\ )?"
          r"(?:published|republished|appeared|reproduced)\ (?:on|in|by|with|from|under)\ "
          r"[^!?]{0,160}"
          r"|republished\ with\ permission[^!?]{0,100}"
          r"|(?:want|interested)\ (?:to\ )?(?:republish|syndicate)[^!]{0,80}"
          r"|support\ (?:our|independent)\ journalism[.!]?"),
    _rule("advert", r"advertisement|advertising|sponsored(?:\ content)?|ad|story\ continues\ "
          r"below(?:\ (?:this\ )?advertisement)?|scroll\ to\ continue(?:\ with\ content)?"),
)


def match(line: str) -> FurnitureRule | None:
    """The first rule whose pattern matches the whole (stripped) line, or None."""
    stripped = line.strip()
    if not stripped:
        return None
    for rule in RULES:
        if rule.pattern.match(stripped):
            return rule
    return None


# Lines that mark a comment section as such: "Reply", "Jane says:", "3 hours ago".
COMMENT_SIGNAL = re.compile(
    r"^(?:reply|report(?:\ abuse)?|like|\d+\s+likes?|log\ in\ to\ reply|flag|permalink"
    r"|(?:anonymous|guest)\b.{0,60}"
    r"|.{1,60}\s(?:says|said|wrote)\s*(?::|\.\.\.|…)"
    rf"|.{{0,60}}\b\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago\W*"
    rf"|.{{0,40}}{_WHEN}.{{0,10}}\bat\b\s*\d{{1,2}}[:.]\d{{2}}.{{0,12}})$",
    re.I | re.X,
)
