from odoo import fields, models


class LpSegmentSize(models.Model):
    """A segment's size at one refresh: its size over time, to plot."""

    _name = "lp.segment.size"
    _description = "Customer Segment Size"
    _order = "date desc, id desc"
    _rec_name = "segment_id"

    segment_id = fields.Many2one(
        "lp.segment", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="segment_id.company_id", store=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    size = fields.Integer(readonly=True, aggregator="max")
    added = fields.Integer(readonly=True, help="Customers who entered at this refresh.")
    removed = fields.Integer(readonly=True, help="Customers who left at this refresh.")
