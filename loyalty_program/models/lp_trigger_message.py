from odoo import fields, models


class LpTriggerMessage(models.Model):
    """One occasion of a trigger for a customer (their birthday of 2026,
    the points expiring on 15 March, their upgrade to Gold...): claimed by
    the run that found it due, once and for all. The unique index on
    (trigger, customer, occasion) is what makes a rerun, a retry or two
    workers running the job at once send nothing twice: the claim is an
    ``INSERT ... ON CONFLICT DO NOTHING``, and a second transaction claiming
    the same occasion waits for the first and then claims nothing.

    Rows are written by SQL only (:meth:`lp.trigger._run`); the facts the
    message tells (points, date, amount, tier) are kept with the claim."""

    _name = "lp.trigger.message"
    _description = "Trigger Occasion"
    _order = "id desc"
    _rec_name = "occasion"

    trigger_id = fields.Many2one(
        "lp.trigger", required=True, readonly=True, ondelete="cascade"
    )
    kind = fields.Selection(related="trigger_id.kind")
    run_id = fields.Many2one(
        "lp.trigger.run", readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", required=True, readonly=True, ondelete="cascade"
    )
    member_id = fields.Many2one(
        "lp.member", readonly=True, index=True, ondelete="cascade"
    )
    occasion = fields.Char(
        required=True,
        readonly=True,
        help="What the message is about, e.g. birthday:2026, expiry:2026-03-15.",
    )
    day = fields.Date(string="Run day", readonly=True)
    occasion_date = fields.Date(string="Date", readonly=True)
    points = fields.Float(digits=(16, 2), readonly=True)
    amount = fields.Monetary(
        readonly=True, help="Tier downgrade: what is left to spend to keep the tier."
    )
    tier_id = fields.Many2one("lp.tier", readonly=True)
    # The recipient row points at its occasion (not the other way round:
    # no cycle of foreign keys between the two tables).
    recipient_id = fields.Many2one(
        "lp.campaign.recipient",
        compute="_compute_recipient_id",
        search="_search_recipient_id",
    )
    state = fields.Selection(related="recipient_id.state")
    reason = fields.Selection(related="recipient_id.reason")
    channel = fields.Selection(related="recipient_id.channel")
    scheduled_date = fields.Datetime(related="recipient_id.scheduled_date")

    _occasion_unique = models.UniqueIndex("(trigger_id, partner_id, occasion)")

    def _compute_recipient_id(self):
        rows = self.env["lp.campaign.recipient"].search(
            [("trigger_message_id", "in", self.ids)]
        )
        by_message = {row.trigger_message_id.id: row for row in rows}
        for message in self:
            message.recipient_id = by_message.get(message.id, False)

    def _search_recipient_id(self, operator, value):
        # Also what lets the ORM find the occasions whose related state,
        # reason or channel a change of their recipient rows touches.
        if operator != "in":
            return NotImplemented
        rows = self.env["lp.campaign.recipient"].search(
            [("id", operator, value), ("trigger_message_id", "!=", False)]
        )
        return [("id", "in", rows.trigger_message_id.ids)]
