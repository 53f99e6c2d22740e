"""What a Telegram update says, checked and flattened: :func:`parse` turns
the JSON Telegram posts (or ``getUpdates`` returns) into an :class:`Event`,
or raises ``ValueError`` for a payload that is not an update at all. Only
private chats count; everything else is an event of kind ``other`` that the
bot ignores.

Kinds: ``start`` (``/start`` with the deep link's ``payload``), ``command``
(another ``/word``), ``text``, ``contact`` (a shared phone, with the id of
the user it belongs to), ``blocked`` / ``unblocked`` (the customer stopped
or restarted the bot) and ``other``.

>>> start = {"update_id": 10, "message": {"message_id": 1, "date": 0,
...     "chat": {"id": 5, "type": "private"},
...     "from": {"id": 5, "is_bot": False, "first_name": "Anna",
...              "language_code": "ru"},
...     "text": "/start pos-3"}}
>>> event = parse(start)
>>> event.kind, event.update_id, event.chat_id, event.payload, event.lang
('start', 10, 5, 'pos-3', 'ru')
>>> parse({"update_id": 11, "message": {"chat": {"id": 5, "type": "private"},
...     "from": {"id": 5}, "text": "/Balance@ShopBot"}}).command
'balance'
>>> contact = parse({"update_id": 12, "message": {
...     "chat": {"id": 5, "type": "private"}, "from": {"id": 5},
...     "contact": {"phone_number": "79161234567", "first_name": "A",
...                 "user_id": 5}}})
>>> contact.kind, contact.phone, contact.own_contact
('contact', '+79161234567', True)
>>> parse({"update_id": 13, "message": {"chat": {"id": 5, "type": "private"},
...     "from": {"id": 5}, "contact": {"phone_number": "+7 916 000-00-00",
...     "user_id": 6}}}).own_contact
False
>>> parse({"update_id": 14, "my_chat_member": {
...     "chat": {"id": 5, "type": "private"}, "from": {"id": 5},
...     "new_chat_member": {"status": "kicked"}}}).kind
'blocked'
>>> parse({"update_id": 15, "message": {"chat": {"id": -9, "type": "group"},
...     "from": {"id": 5}, "text": "hi"}}).kind
'other'
>>> def refusal(update):
...     try:
...         parse(update)
...     except MalformedUpdate as error:
...         return str(error)
>>> refusal({"update_id": "15"})
'update_id must be a whole number'
>>> refusal({"update_id": 16, "message": {"chat": {"id": "5", "type": "private"},
...     "from": {"id": 5}}})
'chat.id must be a whole number'
>>> clean_payload("pos-3"), clean_payload("x" * 70), clean_payload("<script>")
('pos-3', '', '')
>>> pick_lang("ru", ["en_US", "ru_RU"]), pick_lang("de", ["en_US", "ru_RU"])
('ru_RU', 'en_US')
>>> pick_lang("pt-br", ["en_US", "pt_BR", "pt_PT"]), pick_lang(None, ["ru_RU"])
('pt_BR', 'ru_RU')

What the customer types, read leniently:

>>> from datetime import date
>>> today = date(2026, 5, 1)
>>> parse_birthday("08.03.1988", today), parse_birthday("1988-03-08", today)
(datetime.date(1988, 3, 8), datetime.date(1988, 3, 8))
>>> parse_birthday(" 8/3/1988 ", today)
datetime.date(1988, 3, 8)
>>> parse_birthday("31.02.1988", today), parse_birthday("01.01.2027", today)
(None, None)
>>> parse_birthday("01.01.1850", today), parse_birthday("tomorrow", today)
(None, None)
>>> parse_name("  Anna   Ivanova "), parse_name(""), parse_name("/stop")
('Anna Ivanova', '', '')
"""

import re
from collections import namedtuple
from datetime import date

Event = namedtuple(
    "Event",
    "update_id kind chat_id user_id text command payload phone own_contact "
    "first_name last_name lang",
)

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
COMMAND = re.compile(
    r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.DOTALL
)
TEXT_LIMIT = 4096


class MalformedUpdate(ValueError):
    """The payload is not an update of the Bot API."""


def _int(value, name):
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedUpdate(f"{name} must be a whole number")
    return value


def _dict(value, name):
    if not isinstance(value, dict):
        raise MalformedUpdate(f"{name} must be an object")
    return value


def _str(value, name, limit=TEXT_LIMIT):
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedUpdate(f"{name} must be a text")
    return value[:limit]


def clean_payload(text):
    """The deep link's start parameter when it is one (Telegram allows 64
    characters of ``A-Za-z0-9_-``), else ''."""
    text = (text or "").strip()
    return text if PAYLOAD.match(text) else ""


def pick_lang(code, installed, default="en_US"):
    """The installed language closest to Telegram's ``language_code``
    (an IETF tag such as ``ru`` or ``pt-br``); the default when none fits,
    or the only one installed."""
    installed = list(installed)
    if not code or not isinstance(code, str):
        return default if default in installed or not installed else installed[0]
    code = code.replace("-", "_").lower()
    exact = [lang for lang in installed if lang.lower() == code]
    if exact:
        return exact[0]
    prefix = code.split("_")[0]
    same = sorted(lang for lang in installed if lang.lower().split("_")[0] == prefix)
    if same:
        return same[0]
    return default if default in installed or not installed else installed[0]


def _phone(raw):
    """Telegram sends the number without the plus sign: add it."""
    raw = (raw or "").strip()
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not digits:
        return ""
    return raw if raw.startswith("+") else "+" + digits


def parse(update):
    """The :class:`Event` of ``update`` (a decoded JSON object)."""
    update = _dict(update, "update")
    update_id = _int(update.get("update_id"), "update_id")
    if update_id < 0:
        raise MalformedUpdate("update_id must be positive")
    empty = dict.fromkeys(Event._fields)
    empty.update(update_id=update_id, kind="other")
    if "message" in update:
        return _message(_dict(update["message"], "message"), empty)
    if "my_chat_member" in update:
        return _member_change(_dict(update["my_chat_member"], "my_chat_member"), empty)
    return Event(**empty)


def _sender(body, values):
    """Fill the chat and sender of ``body``; True for a private chat with a
    person (the only chats the bot talks in)."""
    chat = _dict(body.get("chat"), "chat")
    values["chat_id"] = _int(chat.get("id"), "chat.id")
    if chat.get("type") != "private":
        return False
    sender = _dict(body.get("from"), "from")
    values.update(
        user_id=_int(sender.get("id"), "from.id"),
        first_name=_str(sender.get("first_name"), "from.first_name", 64) or "",
        last_name=_str(sender.get("last_name"), "from.last_name", 64) or "",
        lang=_str(sender.get("language_code"), "from.language_code", 35),
    )
    return not sender.get("is_bot")


def _message(message, values):
    if not _sender(message, values):
        return Event(**values)
    text = _str(message.get("text"), "text")
    if "contact" in message:
        contact = _dict(message["contact"], "contact")
        owner = contact.get("user_id")
        owner = _int(owner, "contact.user_id") if owner is not None else None
        values.update(
            kind="contact",
            phone=_phone(_str(contact.get("phone_number"), "contact.phone_number", 32)),
            own_contact=owner is not None and owner == values["user_id"],
        )
        return Event(**values)
    if text is None:
        return Event(**values)
    values["text"] = text.strip()
    match = COMMAND.match(values["text"])
    if match:
        command = match.group(1).lower()
        if command == "start":
            values.update(kind="start", payload=clean_payload(match.group(2)))
        else:
            values.update(kind="command", command=command)
        return Event(**values)
    values["kind"] = "text"
    return Event(**values)


def _member_change(change, values):
    if not _sender(change, values):
        return Event(**values)
    new = _dict(change.get("new_chat_member"), "new_chat_member")
    status = _str(new.get("status"), "new_chat_member.status", 32)
    if status == "kicked":
        values["kind"] = "blocked"
    elif status == "member":
        values["kind"] = "unblocked"
    return Event(**values)


BIRTHDAY = (
    re.compile(r"^(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
)
NAME_LIMIT = 100


def parse_birthday(text, today):
    """The date ``text`` gives (day.month.year, day/month/year or ISO), or
    None when it is not a date of birth: no such day, in the future, or
    before 1900."""
    text = (text or "").strip()
    for pattern in BIRTHDAY:
        match = pattern.match(text)
        if not match:
            continue
        try:
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None
        return day if date(1900, 1, 1) <= day <= today else None
    return None


def parse_name(text):
    """A name as typed, spaces tidied, at most 100 characters; '' for
    nothing or a command."""
    text = " ".join((text or "").split())
    if not text or text.startswith("/"):
        return ""
    return text[:NAME_LIMIT]
