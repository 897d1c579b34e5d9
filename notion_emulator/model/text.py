"""Deterministic, readable-enough text for generated content, and the seed mixing everything derives from."""

from __future__ import annotations

import random
import zlib

_MASK64 = (1 << 64) - 1


def mix(*parts: int | str) -> int:
    """A 64-bit seed derived from the parts (stable across runs and Python versions)."""
    acc = 0x84222325CBF29CE4
    for part in parts:
        value = zlib.crc32(part.encode()) if isinstance(part, str) else int(part)
        acc ^= value & _MASK64
        acc = (acc * 0x100000001B3) & _MASK64
        acc ^= acc >> 31
        acc = (acc * 0x94D049BB133111EB) & _MASK64
        acc ^= acc >> 29
    return acc


class FastRandom:
    """splitmix64 with the part of random.Random's interface the generators use. Seeding is free, which
    matters: block payloads, row values and page trees each draw from their own generator, and seeding a
    random.Random took most of the time of rendering a search page."""

    __slots__ = ("_state",)

    def __init__(self, seed: int):
        self._state = seed & _MASK64

    def _next(self) -> int:
        self._state = state = (self._state + 0x9E3779B97F4A7C15) & _MASK64
        state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & _MASK64
        return state ^ (state >> 31)

    def random(self) -> float:
        return (self._next() >> 11) / 9007199254740992.0  # 53 bits, in [0, 1)

    def randrange(self, stop: int) -> int:
        return self._next() % stop

    def randint(self, low: int, high: int) -> int:
        return low + self._next() % (high - low + 1)

    def choice(self, seq):
        return seq[self._next() % len(seq)]

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def sample(self, population, k: int) -> list:
        size = len(population)
        if not 0 <= k <= size:
            raise ValueError("sample larger than population")
        if k * 4 < size:  # few from many: draw distinct positions
            picked: dict[int, None] = {}
            while len(picked) < k:
                picked.setdefault(self._next() % size)
            return [population[i] for i in picked]
        pool = list(population)
        for i in range(k):
            j = i + self._next() % (size - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


Rng = random.Random | FastRandom  # what a generator draws from


def rng_for(*parts: int | str) -> FastRandom:
    return FastRandom(mix(*parts))


FIRST_NAMES = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Ken",
    "Dennis",
    "Frances",
    "Radia",
    "John",
    "Katherine",
    "Tim",
    "Hedy",
    "Linus",
    "Guido",
    "Sophie",
    "Claude",
    "Annie",
    "Niklaus",
    "Shafi",
    "Leslie",
    "Mary",
    "Jean",
    "Carl",
    "Evelyn",
    "Yukihiro",
    "Anita",
    "Bjarne",
    "Joan",
    "Lynn",
    "Ivan",
    "Karen",
    "Whitfield",
    "Adele",
    "Alonzo",
    "Kathleen",
    "Seymour",
    "Susan",
    "Vint",
    "Marissa",
    "Brian",
    "Judea",
    "Silvio",
    "Rosalind",
    "Herbert",
    "Elena",
    "Tomás",
]
LAST_NAMES = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Ritchie",
    "Allen",
    "Perlman",
    "McCarthy",
    "Johnson",
    "Berners-Lee",
    "Lamarr",
    "Torvalds",
    "van-Rossum",
    "Wilson",
    "Shannon",
    "Easley",
    "Wirth",
    "Goldwasser",
    "Lamport",
    "Keller",
    "Sammet",
    "Kay",
    "Boyer",
    "Matsumoto",
    "Borg",
    "Stroustrup",
    "Clarke",
    "Conway",
    "Sutherland",
    "Jones",
    "Diffie",
    "Goldberg",
    "Church",
    "Booth",
    "Papert",
    "Kare",
    "Cerf",
    "Mayer",
    "Kernighan",
    "Pearl",
    "Micali",
    "Picard",
    "Simon",
    "Moreno",
    "Ruiz",
]
BOT_NAMES = (
    "Slack Sync",
    "GitHub Integration",
    "Jira Cloud",
    "Zapier",
    "Calendar Bridge",
    "Typeform Import",
    "Figma",
    "Linear Sync",
    "Google Drive",
    "Miro Embed",
    "Asana Bridge",
    "Loom",
    "HubSpot",
    "Intercom",
    "Sentry",
)

_NOUNS = [
    "roadmap",
    "plan",
    "review",
    "budget",
    "release",
    "sprint",
    "backlog",
    "customer",
    "feedback",
    "launch",
    "migration",
    "incident",
    "report",
    "design",
    "spec",
    "interview",
    "onboarding",
    "handbook",
    "policy",
    "meeting",
    "agenda",
    "retrospective",
    "experiment",
    "metric",
    "dashboard",
    "pipeline",
    "contract",
    "invoice",
    "vendor",
    "workshop",
    "research",
    "summary",
    "proposal",
    "milestone",
    "estimate",
    "deployment",
    "outage",
    "runbook",
    "architecture",
    "schema",
    "integration",
    "dataset",
    "survey",
    "campaign",
    "brief",
    "checklist",
]
_ADJECTIVES = [
    "quarterly",
    "weekly",
    "draft",
    "final",
    "internal",
    "shared",
    "critical",
    "minor",
    "updated",
    "archived",
    "new",
    "legacy",
    "proposed",
    "approved",
    "open",
    "pending",
    "urgent",
    "annual",
    "regional",
    "mobile",
    "backend",
    "frontend",
    "secure",
    "public",
    "private",
]
_WORDS = [
    "the",
    "team",
    "agreed",
    "to",
    "move",
    "the",
    "deadline",
    "after",
    "reviewing",
    "the",
    "numbers",
    "we",
    "should",
    "check",
    "with",
    "finance",
    "before",
    "shipping",
    "this",
    "change",
    "please",
    "add",
    "your",
    "notes",
    "below",
    "and",
    "link",
    "the",
    "relevant",
    "tickets",
    "customers",
    "asked",
    "for",
    "better",
    "exports",
    "next",
    "quarter",
    "the",
    "migration",
    "plan",
    "covers",
    "three",
    "phases",
    "each",
    "with",
    "a",
    "rollback",
    "step",
    "owners",
    "confirm",
    "dates",
    "in",
    "the",
    "standup",
    "metrics",
    "improved",
    "after",
    "the",
    "cache",
    "was",
    "enabled",
    "latency",
    "dropped",
    "by",
    "a",
    "third",
    "open",
    "questions",
    "remain",
    "about",
    "pricing",
    "tiers",
    "support",
    "load",
    "and",
    "the",
    "hiring",
    "plan",
    "for",
    "the",
    "platform",
    "group",
]
LANGUAGES = ("python", "javascript", "typescript", "sql", "bash", "json", "go", "rust", "yaml", "plain text")
EMOJIS = ("📘", "🚀", "🧭", "🛠️", "📊", "🗂️", "✅", "💡", "📝", "🔒", "🎯", "🧪", "📅", "⭐", "⚙️")
COLORS = ("default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red")


def person_name(index: int) -> str:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES) + index * 7) % len(LAST_NAMES)]
    return f"{first} {last.replace('-', ' ')}"


def title(rng: random.Random | FastRandom) -> str:
    words = [rng.choice(_ADJECTIVES), rng.choice(_NOUNS)]
    if rng.random() < 0.5:
        words.append(rng.choice(_NOUNS))
    text = " ".join(words)
    return text[0].upper() + text[1:]


def sentence(rng: random.Random | FastRandom, low: int = 5, high: int = 16) -> str:
    count = rng.randint(low, high)
    start = rng.randrange(len(_WORDS))
    words = [_WORDS[(start + i * 3) % len(_WORDS)] for i in range(count)]
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def slug(text: str) -> str:
    """The title part of a page URL: `Test 2025-10-05 18:53` → `Test-2025-10-05-18-53` (notion-api.md §10.6)."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text)
    return "-".join(cleaned.split())
