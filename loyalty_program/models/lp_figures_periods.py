from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import periods

MAX_PERIOD_DAYS = 3660
COMPARE = (None, False, "previous", "month", "quarter", "year")


class LpFigures(models.AbstractModel):
    """Which period the dashboard compares a period with, and since when
    a company's program has members to compare."""

    _inherit = "lp.figures"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _periods(self, date_from, date_to, compare=None):
        """The period asked and the one it is compared with: the same
        number of days just before, or (``compare``: ``month``, ``quarter``,
        ``year``) the same part of the calendar period before
        (:func:`..tools.periods.previous`)."""
        try:
            date_from = fields.Date.to_date(date_from)
            date_to = fields.Date.to_date(date_to)
        except (TypeError, ValueError) as error:
            raise UserError(self.env._("Choose a period with valid dates.")) from error
        if not date_from or not date_to or date_from > date_to:
            raise UserError(
                self.env._("Choose a period whose start is not after its end.")
            )
        if (date_to - date_from).days > MAX_PERIOD_DAYS:
            raise UserError(self.env._("A period covers at most ten years."))
        if compare not in COMPARE:
            raise UserError(
                self.env._("Compare with the previous month, quarter or year.")
            )
        return (date_from, date_to), periods.previous(date_from, date_to, compare)

    @api.model
    def _program_start(self, company):
        """The day the company's first member joined (None: no member)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT MIN(join_date) FROM lp_member WHERE company_id = %s", company.id
            )
        )
        start = self.env.cr.fetchone()[0]
        return start and fields.Date.to_date(start)
