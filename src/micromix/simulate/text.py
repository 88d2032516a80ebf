"""Text the simulator speaks: micro-moment search queries and user-post captions.

Queries are written per intent (Google's I-want-to-know / go / do / buy, plus navigational
"other") for a pet-products brand called Pawsome, with weights that give a Zipf-like mix.
"""

from __future__ import annotations

import numpy as np

__all__ = ["QUERY_BANK", "TOPICS", "UGC_TEMPLATES", "make_caption"]

#: product / need topics of the pet market
TOPICS: tuple[str, ...] = (
    "dog food",
    "cat food",
    "puppy",
    "kitten",
    "cat litter",
    "dog treats",
    "grooming",
    "dog toys",
    "dog bed",
    "fish tank",
    "bird cage",
    "flea treatment",
)

_KNOW = (
    "why does my {pet} {sym}",
    "is {food} good for {pet}s",
    "how much {food} should a {pet} eat",
    "what is the best {topic} for senior {pet}s",
    "{topic} ingredients explained",
    "can {pet}s eat {human}",
    "{topic} reviews",
    "difference between wet and dry {food}",
    "how often should i change {topic}",
    "signs of allergies in {pet}s",
)
_GO = (
    "pet store near me",
    "{topic} near me",
    "vet open now",
    "dog groomer near me",
    "pawsome store {city}",
    "where to buy {topic} in {city}",
    "pet shop open sunday",
    "dog park near me",
    "emergency vet near me",
    "{topic} shop nearby",
)
_DO = (
    "how to train a {pet} to {trick}",
    "how to groom a {pet} at home",
    "diy {topic}",
    "how to clean a {topic}",
    "how to introduce a new {pet}",
    "how to switch {food}",
    "{pet} training tips",
    "how to trim {pet} nails",
    "set up a {topic} step by step",
    "how to make {pet} treats",
)
_BUY = (
    "buy {topic} online",
    "{topic} discount code",
    "pawsome {topic} price",
    "{topic} deals",
    "cheap {topic} free shipping",
    "order {topic} same day delivery",
    "pawsome coupon",
    "{topic} sale",
    "best price {topic} 2kg",
    "{topic} subscription",
)
_OTHER = (
    "pawsome",
    "pawsome login",
    "pawsome.com",
    "pawsome account",
    "pawsome app",
    "instagram",
    "my orders pawsome",
)

_FILL = {
    "pet": ("dog", "cat", "puppy", "kitten"),
    "sym": ("eat grass", "sneeze", "scratch so much", "not eat", "bark at night"),
    "food": ("dog food", "cat food", "grain free food", "raw food"),
    "human": ("bananas", "cheese", "rice", "apples"),
    "trick": ("sit", "stay", "walk on a leash", "use a litter box"),
    "city": ("austin", "london", "berlin", "chicago", "miami"),
}


def _expand(template: str, rng: np.random.Generator, topic: str) -> str:
    out = template.replace("{topic}", topic)
    for key, values in _FILL.items():
        token = "{" + key + "}"
        while token in out:
            out = out.replace(token, values[int(rng.integers(0, len(values)))], 1)
    return out


def _bank() -> tuple[tuple[str, str, float], ...]:
    rng = np.random.default_rng(20260301)
    rows: dict[tuple[str, str], float] = {}
    intent_weight = {"know": 0.36, "go": 0.16, "do": 0.22, "buy": 0.2, "other": 0.06}
    for moment, templates in (
        ("know", _KNOW),
        ("go", _GO),
        ("do", _DO),
        ("buy", _BUY),
        ("other", _OTHER),
    ):
        for r in range(len(templates) * 6):
            t = templates[r % len(templates)]
            topic = TOPICS[int(rng.integers(0, len(TOPICS)))]
            q = _expand(t, rng, topic)
            rank = len(rows) % 40 + 1
            rows[(moment, q)] = rows.get((moment, q), 0.0) + intent_weight[moment] / rank
    total: dict[str, float] = {}
    for (m, _), w in rows.items():
        total[m] = total.get(m, 0.0) + w
    return tuple((m, q, intent_weight[m] * w / total[m]) for (m, q), w in rows.items())


#: (moment, query text, weight) with weights summing to 1 within the bank
QUERY_BANK: tuple[tuple[str, str, float], ...] = _bank()

#: caption templates of genuine customer posts
UGC_TEMPLATES: tuple[str, ...] = (
    "my {pet} is obsessed with the new {product} from @pawsome",
    "ok the {product} from pawsome actually works, {pet} approved",
    "unboxing our @pawsome {product}! {pet} went crazy",
    "not sure about the {product}, my {pet} won't touch it @pawsome",
    "delivery was late again @pawsome, {pet} is hungry",
    "best {product} we have tried, thanks @pawsome",
    "{pet} + {product} = happy sunday",
    "the {product} from @pawsome broke after two days, disappointed",
)
_PRODUCTS = (
    "grain free kibble",
    "salmon treats",
    "cat litter",
    "chew toy",
    "orthopedic bed",
    "grooming brush",
    "cat tree",
)


def make_caption(rng: np.random.Generator, templates: tuple[str, ...]) -> tuple[str, str, str]:
    """A caption, its hashtags (comma-separated) and mentions."""
    t = templates[int(rng.integers(0, len(templates)))]
    pet = ("dog", "cat", "puppy", "kitten")[int(rng.integers(0, 4))]
    product = _PRODUCTS[int(rng.integers(0, len(_PRODUCTS)))]
    text = t.replace("{pet}", pet).replace("{product}", product)
    tags = ["pawsome", f"{pet}sofinstagram", "petlife"][: int(rng.integers(1, 4))]
    text = text + " " + " ".join("#" + x for x in tags)
    mentions = "@pawsome" if "@pawsome" in text else ""
    return text, ",".join(tags), mentions
