from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.demo_gateways import DemoSmsApi
from .lp_join_request import CODE_DIGITS


class LpDemo(models.AbstractModel):
    """How the demo's members join, each through the path a real customer
    takes: at the till (the cashier's enrolment call, with a printed card),
    on the public join page (a code by SMS, read back from the demo's SMS
    gateway, then the form), or in the back office and from a sales order
    (a virtual card). Demo data only."""

    _inherit = "lp.demo"  # pylint: disable=consider-merging-classes-inherited

    def _demo_enrol(self, state, when, partner, source):
        program = state["program"]
        if source in ("pos", "portal") and not partner.lp_phone_e164:
            source = "backend"  # a phone the till would not take: the office
        if source == "pos":
            member = self._demo_enrol_till(state, partner)
        elif source == "portal":
            member = self._demo_enrol_join_page(state, partner)
        else:
            card = self.env["lp.card"].create(
                {"program_id": program.id, "card_type": "virtual"}
            )
            member = self.env["lp.member"]._enrol(
                partner, program, card=card, source=source
            )
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_member SET join_date = %(day)s, create_date = %(when)s
                 WHERE id = %(member)s;
                UPDATE lp_card SET activation_date = %(day)s, create_date = %(when)s
                 WHERE member_id = %(member)s;
                """,
                day=when.date(),
                when=when,
                member=member.id,
            )
        )
        member.invalidate_recordset()
        member.card_ids.invalidate_recordset()
        state["members"][partner.id] = member

    def _demo_join_values(self, partner):
        return {
            "name": partner.name,
            "email": partner.email,
            "birthday": fields.Date.to_string(partner.lp_birthday)
            if partner.lp_birthday
            else False,
            "consent_email": partner.lp_consent_email,
            "consent_sms": partner.lp_consent_sms,
        }

    def _demo_member_of(self, state, partner):
        return self.env["lp.member"].search(
            [("partner_id", "=", partner.id), ("program_id", "=", state["program"].id)],
            limit=1,
        )

    def _demo_enrol_till(self, state, partner):
        """The cashier scans a fresh printed card and types the phone."""
        card = state["cards"][:1]
        state["cards"] = state["cards"][1:]
        values = dict(self._demo_join_values(partner), phone=partner.lp_phone_e164)
        values["card"] = card.number
        self.env["pos.order"].lp_pos_enrol(values)
        return self._demo_member_of(state, partner)

    def _demo_enrol_join_page(self, state, partner):
        """The customer scans the till's QR code, asks for a code, types the
        code the SMS brought and fills in the form."""
        gateway = state.setdefault("join_sms", DemoSmsApi(self.env, failure_percent=0))
        Request = self.env["lp.join.request"].with_context(lp_demo_sms_api=gateway)
        ip = f"198.51.100.{partner.id % 250 + 1}"
        request = Request._lp_send_code(partner.lp_phone_e164, ip, state["program"])
        code = gateway.last_code(request.phone, CODE_DIGITS)
        if not code or not request._lp_check_code(code):
            raise UserError(
                self.env._(
                    "The demo's join code did not arrive: %(phone)s",
                    phone=partner.phone,
                )
            )
        return request._lp_join(self._demo_join_values(partner))

    def _demo_core_orders(self, company):
        """Core's demo sales orders (a furniture wholesaler's quotations and
        orders) are no part of the clothes shop's year: the confirmed ones
        are cancelled, so that the figures tell the shop's story."""
        self.env.cr.execute(
            SQL(
                """
                SELECT s.id FROM sale_order s
                  JOIN ir_model_data d ON d.model = 'sale.order' AND d.res_id = s.id
                 WHERE s.company_id = %s AND s.state = 'sale'
                   AND d.module <> 'loyalty_program'
                """,
                company.id,
            )
        )
        orders = self.env["sale.order"].browse(row[0] for row in self.env.cr.fetchall())
        orders._action_cancel()
        return orders
