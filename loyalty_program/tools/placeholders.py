"""Personalised campaign texts: ``{name}``-style placeholders, replaced by
the customer's values. Only known names are replaced; anything else in
braces stays as written, so a text cannot run code or read other fields.

>>> render("Hi {name}, {gift_points} points for you! {unknown}",
...        {"name": "Anna", "gift_points": "100"})
'Hi Anna, 100 points for you! {unknown}'
>>> render("{{name}} stays", {"name": "Anna"})
'{Anna} stays'
>>> used("Hi {name}, card *{card_ending}")
['name', 'card_ending']
"""

import re

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
NAMES = (
    "name",
    "first_name",
    "balance",
    "tier",
    "expiring_points",
    "expiring_date",
    "gift_points",
    "card_ending",
    "offer",
    "offer_product",
    "offer_until",
)


def render(text, values, escape=None):
    """``text`` with each known ``{placeholder}`` replaced by its value in
    ``values`` (escaped by ``escape`` when given, e.g. for HTML)."""
    if not text:
        return ""

    def replace(match):
        key = match.group(1)
        if key not in values:
            return match.group(0)
        value = "" if values[key] is None else str(values[key])
        return escape(value) if escape else value

    return PLACEHOLDER.sub(replace, text)


def used(text):
    """Placeholder names used in ``text``, in order."""
    return PLACEHOLDER.findall(text or "")
