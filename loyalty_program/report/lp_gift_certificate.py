from odoo import api, models
from odoo.exceptions import UserError

from ..tools.amount_words import amount_in_words
from .lp_member_statement import check_document_access

CERTIFIED_KINDS = ("gift", "campaign", "birthday", "welcome", "adjustment")


class ReportGiftCertificate(models.AbstractModel):
    """A gift certificate for a bonus credited to a member (a gift, a
    campaign, birthday or welcome bonus, or a manual credit): the points,
    their money value in figures and in words in the customer's language,
    how long they are valid, and the member's card."""

    _name = "report.loyalty_program.report_gift_certificate"
    _description = "Loyalty Gift Certificate"

    @api.model
    def _check_certifiable(self, entries):
        for entry in entries:
            if entry.kind not in CERTIFIED_KINDS or entry.amount <= 0:
                raise UserError(
                    self.env._(
                        "A gift certificate is printed for a bonus credit only, "
                        "not for %(entry)s.",
                        entry=entry.display_name,
                    )
                )

    @api.model
    def _get_report_values(self, docids, data=None):
        entries = check_document_access(self.env, self.env["lp.ledger"].browse(docids))
        self._check_certifiable(entries)
        return {
            "doc_ids": docids,
            "doc_model": "lp.ledger",
            "docs": entries,
            "value_of": lambda entry: entry.amount * entry.program_id.point_value,
            "in_words": lambda amount, entry: amount_in_words(
                amount,
                entry.currency_id.name,
                entry.partner_id.lang or self.env.lang,
            ),
        }
