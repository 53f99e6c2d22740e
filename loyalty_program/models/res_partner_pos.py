from odoo import api, fields, models


class ResPartner(models.Model):
    """What the till knows of a customer: whether they are a member (so
    that choosing a customer who is not one asks the server nothing), and
    the customer's POS data sent with a member lookup (so that the till
    does not read the customer in a request of its own)."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    lp_pos_member = fields.Boolean(
        string="Loyalty member at the tills",
        compute="_compute_lp_pos_member",
        help="The customer (or their company) has an active membership in an "
        "active program of the current company.",
    )

    @api.depends_context("company")
    def _compute_lp_pos_member(self):
        partners = self | self.commercial_partner_id
        members = (
            self.env["lp.member"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "active"),
                    ("program_id.active", "=", True),
                    ("program_id.company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
            )
        )
        holders = set(members.partner_id.ids)
        for partner in self:
            partner.lp_pos_member = bool(
                {partner.id, partner.commercial_partner_id.id} & holders
            )

    @api.model
    def _load_pos_data_fields(self, config):
        return [*super()._load_pos_data_fields(config), "lp_pos_member"]

    @api.model
    def _lp_pos_partner_data(self, partner_id, config):
        """The member ``partner_id`` as the till ``config`` loads customers
        (``{"res.partner": [values]}``, read with the cashier's rights). Its
        fiscal position is not sent: the till loaded its company's at
        start-up, and reads one it lacks itself (as after any read of a
        customer)."""
        partner = self.browse(partner_id)
        # A member by definition: no query to find it out.
        self._fields["lp_pos_member"]._update_cache(partner, True)
        return {"res.partner": self._load_pos_data_read(partner, config)}
