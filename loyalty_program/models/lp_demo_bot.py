from odoo import models
from odoo.tools import SQL

DEMO_CHAT_BASE = 7_000_000_000  # Telegram ids of the demo's customers


class LpDemo(models.AbstractModel):
    """Bot joins in the demo year, through the bot's real path: the
    updates Telegram would post (the till's deep link, the shared contact,
    name, birthday, consents) handled by ``lp.bot._lp_receive``. The demo
    bot is not connected (no token): what it would have said stays in its
    queue, cancelled."""

    _inherit = "lp.demo"  # pylint: disable=consider-merging-classes-inherited

    def _demo_enrol(self, state, when, partner, source):
        if source != "bot":
            return super()._demo_enrol(state, when, partner, source)
        bot = self._demo_bot(state)
        chat = DEMO_CHAT_BASE + partner.id
        birthday = (
            partner.lp_birthday.strftime("%d.%m.%Y") if partner.lp_birthday else "Skip"
        )
        texts = [
            partner.name,
            birthday,
            "Yes",
            "Yes" if partner.lp_consent_sms else "No",
        ]
        updates = [
            {"text": f"/start pos-{state['config'].id}"},
            {"contact": {"phone_number": partner.lp_phone_e164, "user_id": chat}},
            *({"text": text} for text in texts),
        ]
        for body in updates:
            state["bot_update"] = state.get("bot_update", 900_000_000) + 1
            bot._lp_receive(
                {
                    "update_id": state["bot_update"],
                    "message": {
                        "chat": {"id": chat, "type": "private"},
                        "from": {
                            "id": chat,
                            "first_name": partner.name,
                            "language_code": "en",
                        },
                        **body,
                    },
                }
            )
        member = (
            self.env["lp.bot.chat"]
            .search([("bot_id", "=", bot.id), ("chat_ref", "=", chat)])
            .member_id
        )
        if not member:
            return super()._demo_enrol(state, when, partner, "pos")
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_member SET join_date = %(day)s, create_date = %(when)s
                 WHERE id = %(member)s;
                UPDATE lp_card SET activation_date = %(day)s, create_date = %(when)s
                 WHERE member_id = %(member)s;
                UPDATE lp_bot_message SET state = 'cancel',
                       error = 'Demo: the bot is not connected.'
                 WHERE chat_id IN (SELECT id FROM lp_bot_chat
                                    WHERE bot_id = %(bot)s AND chat_ref = %(chat)s)
                   AND state = 'queued';
                """,
                day=when.date(),
                when=when,
                member=member.id,
                bot=bot.id,
                chat=chat,
            )
        )
        self.env.invalidate_all()
        state["members"][partner.id] = member
        return member

    def _demo_bot(self, state):
        if not state.get("bot"):
            program = state["program"]
            state["bot"] = self.env["lp.bot"].sudo().search(
                [("program_id", "=", program.id)], limit=1
            ) or self.env["lp.bot"].sudo().create(
                {
                    "name": "Telegram",
                    "program_id": program.id,
                    "username": "FamilyClubDemoBot",
                }
            )
        return state["bot"].with_company(state["program"].company_id)
