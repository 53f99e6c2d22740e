from datetime import timedelta

from odoo import api, fields, models

KEEP_DAYS = 3


class SmsSmscReport(models.Model):
    """A delivery report of SMSC that arrived before its SMS's tracker knew
    its SMSC id: SMSC may report "handed to the operator" while the batch
    that sent the SMS is still being saved. Kept here, applied by the job
    below once the tracker knows its id, forgotten after three days."""

    _name = "sms.smsc.report"
    _description = "SMSC delivery report waiting for its SMS"
    _order = "id"

    key = fields.Char(required=True, index=True, readonly=True)
    status = fields.Integer(required=True, readonly=True)
    error = fields.Char(readonly=True)

    @api.model
    def _cron_apply(self):
        """Apply the reports whose SMS is now known, in the order they
        came; drop the others after ``KEEP_DAYS``."""
        reports = self.search([])
        trackers = self.env["sms.tracker"].search(
            [("sms_smsc_key", "in", list(set(reports.mapped("key"))))]
        )
        by_key = trackers.grouped("sms_smsc_key")
        applied = self.browse()
        for report in reports:
            if tracker := by_key.get(report.key):
                tracker._smsc_update(report.status, report.error)
                applied |= report
        old = fields.Datetime.now() - timedelta(days=KEEP_DAYS)
        (applied | (reports - applied).filtered(lambda r: r.create_date < old)).unlink()
        return len(applied)
