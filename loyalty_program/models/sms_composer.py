from odoo import models


class SmsComposer(models.TransientModel):
    """The mass SMS of the dispatch (campaigns and triggers): the opt-out
    line in each customer's own language, and each recipient row keeps the
    parts of the SMS as handed to the operator (after Odoo shortened the
    links, added the SMS id and the opt-out line): what the SMS cost and
    the ROI count."""

    _inherit = "sms.composer"

    def _lp_is_dispatch(self):
        return bool(self.mailing_id) and self.res_model == "lp.campaign.recipient"

    def _prepare_mass_sms_trace_values(self, record, sms_values):
        if self._lp_is_dispatch():
            lang = self.env["lp.message.dispatch"]._active_lang(record.lang)
            composer = self.with_context(lang=lang)
            return super(SmsComposer, composer)._prepare_mass_sms_trace_values(
                record, sms_values
            )
        return super()._prepare_mass_sms_trace_values(record, sms_values)

    def _prepare_mass_sms(self, records, sms_record_values):
        sms_all = super()._prepare_mass_sms(records, sms_record_values)
        if self._lp_is_dispatch():
            self.env["lp.message.dispatch"]._store_sent_sms_parts(records, sms_all)
        return sms_all
