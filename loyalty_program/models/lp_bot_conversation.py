import re

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools import bot_updates, placeholders, telegram

TILL_PAYLOAD = re.compile(r"^pos-(\d{1,9})$")


def _plain(text):
    """A button's text without emoji or punctuation, for comparing."""
    return " ".join(
        "".join(ch for ch in (text or "") if ch.isalnum() or ch.isspace()).split()
    ).casefold()


class LpBotChat(models.Model):
    """The joining conversation: phone (shared from the customer's own
    account), name, birthday, consent per channel, then the member, the
    welcome gift and the card as a picture. Called on a chat locked by
    :meth:`lp.bot._lp_chat_for`, in the customer's language; each handler
    returns the state of the update (``done``, ``ignored``, ``refused``)."""

    _inherit = "lp.bot.chat"  # pylint: disable=consider-merging-classes-inherited

    def _lp_labels(self):
        _ = self.env._
        return {
            "share": _("📱 Share my phone"),
            "skip": _("Skip"),
            "yes": _("Yes"),
            "no": _("No"),
            "card": _("💳 My card"),
            "balance": _("⭐ Balance"),
            "history": _("🧾 Purchases"),
            "offers": _("🎁 My offers"),
            "stop": _("🔕 Stop offers"),
            "subscribe": _("🔔 Get offers"),
            "help": _("❓ Help"),
        }

    def _lp_button(self, text):
        """Which of the bot's buttons ``text`` is (in the customer's
        language or in English, or the bare command word), or None."""
        plain = _plain(text)
        if not plain:
            return None
        english = self.with_context(lang="en_US")._lp_labels()
        for key, label in self._lp_labels().items():
            if plain in (_plain(label), _plain(english[key]), key):
                return key
        return None

    def _lp_values(self, **extra):
        program = self.bot_id.program_id
        gift = program.program_type == "bonus" and program.welcome_points
        return {
            "program": program.with_context(lang=self.env.lang).name,
            "gift_points": self.env["lp.member"]._lp_format_points(gift or 0),
            **extra,
        }

    # Handlers, one per kind of event

    def _lp_handle(self, event):
        self.ensure_one()
        if event.kind == "blocked":
            self._lp_mark_blocked("Telegram: the customer blocked the bot")
            return "done"
        values = {"last_date": fields.Datetime.now()}
        if self.blocked:
            values["blocked"] = False  # writing again: the bot is back
        if event.lang:
            langs = [code for code, _name in self.env["res.lang"].get_installed()]
            lang = bot_updates.pick_lang(event.lang, langs)
            if lang != self.lang:
                values["lang"] = lang
        self.write(values)
        if event.kind == "unblocked":
            return "done"
        chat = self._lp_env()
        return getattr(chat, f"_lp_on_{event.kind}")(event)

    def _lp_on_start(self, event):
        if event.payload and not self.source:
            self._lp_set_source(event.payload)
        if self.step == "done" and self.member_id.state == "active":
            self._lp_say(
                self.env._(
                    "Hello again, %(name)s! Your card and balance are below.",
                    name=self.member_id.partner_id.name,
                ),
                self._lp_menu(),
            )
            return self._lp_command("balance")
        self.write({"step": "phone", "member_id": False, "partner_id": False})
        return self._lp_ask("phone")

    def _lp_on_contact(self, event):
        if self.step == "done":
            return self._lp_command("help")
        if self.step != "phone":
            return self._lp_ask(self.step, again=True)
        if not event.own_contact:
            self._lp_say(
                self.env._(
                    "Please share your own phone with the button below: only the "
                    "number of this Telegram account can join."
                ),
                telegram.contact_keyboard(self._lp_labels()["share"]),
            )
            return "refused"
        program = self.bot_id.program_id
        try:
            phone = self.env["res.partner"]._lp_normalize_phone(
                event.phone, program.company_id.country_id
            )
        except UserError:
            self._lp_say(
                self.env._(
                    "This phone number cannot be used to join. Please ask at the till."
                ),
                telegram.remove_keyboard(),
            )
            return "refused"
        member = self.env["lp.join.request"]._lp_member_with_phone(phone, program)
        if member and member.state != "active":
            self._lp_say(
                self.env._(
                    "The membership of %(phone)s is not active. Please ask at the "
                    "till.",
                    phone=phone,
                ),
                telegram.remove_keyboard(),
            )
            return "refused"
        if member:
            self.write(
                {
                    "phone": phone,
                    "member_id": member.id,
                    "partner_id": member.partner_id.id,
                    "step": "consent_bot",
                }
            )
            self._lp_say(
                self.env._(
                    "%(name)s, you are already a member of %(program)s: this chat "
                    "is now linked to your card.",
                    name=member.partner_id.name,
                    program=program.with_context(lang=self.env.lang).name,
                )
            )
            return self._lp_ask("consent_bot")
        self.write({"phone": phone, "step": "name"})
        return self._lp_ask("name")

    def _lp_on_command(self, event):
        if event.command in ("stop", "help"):
            return self._lp_command(event.command)
        if self.step != "done":
            self._lp_say(self.env._("Let us finish joining first."))
            return self._lp_ask(self.step, again=True)
        return self._lp_command(event.command)

    def _lp_on_text(self, event):
        step = self.step
        if step == "done":
            return self._lp_command(self._lp_button(event.text) or "help")
        if step == "phone":
            return self._lp_ask("phone", again=True)
        button = self._lp_button(event.text)
        if step == "name":
            name = bot_updates.parse_name(event.text)
            if not name:
                return self._lp_ask("name", again=True)
            self.write({"name": name, "step": "birthday"})
            return self._lp_ask("birthday")
        if step == "birthday":
            birthday = False
            if button != "skip":
                birthday = bot_updates.parse_birthday(
                    event.text, fields.Date.context_today(self)
                )
                if not birthday:
                    return self._lp_ask("birthday", again=True)
            self.write({"birthday": birthday, "step": "consent_bot"})
            return self._lp_ask("consent_bot")
        if button not in ("yes", "no"):
            return self._lp_ask(step, again=True)
        if step == "consent_bot":
            self.consent_bot = button == "yes"
            if self.member_id:
                return self._lp_finish_linked()
            self.step = "consent_sms"
            return self._lp_ask("consent_sms")
        self.consent_sms = button == "yes"
        return self._lp_join()

    # Questions

    def _lp_ask(self, step, again=False):
        """Ask the question of ``step`` (``again``: the answer did not fit)."""
        _ = self.env._
        labels = self._lp_labels()
        yes_no = telegram.buttons_keyboard([[labels["yes"], labels["no"]]])
        if step == "phone":
            text = (
                _("Tap the button below to share your phone.")
                if again
                else placeholders.render(
                    self.bot_id.with_context(lang=self.env.lang).greeting_text
                    or self._lp_default_greeting(),
                    self._lp_values(),
                )
            )
            keyboard = telegram.contact_keyboard(labels["share"])
        elif step == "name":
            text = _("Please write your name.") if again else _("What is your name?")
            keyboard = (
                telegram.buttons_keyboard([[self.telegram_name]])
                if self.telegram_name
                else telegram.remove_keyboard()
            )
        elif step == "birthday":
            text = (
                _("Please write the date like 08.03.1990, or tap Skip.")
                if again
                else _(
                    "When is your birthday? For example 08.03.1990. There is a "
                    "gift for it."
                )
            )
            keyboard = telegram.buttons_keyboard([[labels["skip"]]])
        elif step == "consent_bot":
            text = _(
                "May we send you offers and news here in the chat? You can stop "
                "them any time with /stop."
            )
            keyboard = yes_no
        else:
            text = _("And by SMS to %(phone)s?", phone=self.phone)
            keyboard = yes_no
        if again and step in ("consent_bot", "consent_sms"):
            text = _("Please answer Yes or No.") + "\n" + text
        self._lp_say(text, keyboard)
        return "ignored" if again else "done"

    def _lp_default_greeting(self):
        program = self.bot_id.program_id
        if program.program_type == "bonus" and program.welcome_points:
            return self.env._(
                "Hello! Join {program} in two taps: share your phone with the "
                "button below and get {gift_points} points at once, to spend on "
                "your purchase right now."
            )
        return self.env._(
            "Hello! Join {program} in two taps: share your phone with the button below."
        )

    def _lp_set_source(self, payload):
        values = {"source": payload}
        till = TILL_PAYLOAD.match(payload)
        if till:
            config = self.env["pos.config"].sudo().browse(int(till.group(1))).exists()
            if config and config.company_id == self.company_id:
                values["pos_config_id"] = config.id
        self.write(values)
