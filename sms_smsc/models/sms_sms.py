import logging
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL

from ..tools.smsc_api import SmsApiSmsc

_logger = logging.getLogger(__name__)


class SmsSms(models.Model):
    _inherit = "sms.sms"

    failure_type = fields.Selection(selection_add=[("sms_not_allowed", "Not Allowed")])
    sms_smsc_attempts = fields.Integer(
        "SMSC attempts",
        copy=False,
        readonly=True,
        help="Sending attempts that met a temporary error of SMSC.",
    )

    # Send

    def _split_by_api(self):
        """The SMS of companies that send through SMSC go to SMSC, one API
        per company (each its own account); the others as before."""
        smsc = self.filtered(lambda sms: sms._get_sms_company().sms_provider == "smsc")
        for company, company_sms in smsc.grouped(
            lambda s: s._get_sms_company()
        ).items():
            sms_api = SmsApiSmsc(self.env)
            sms_api._set_company(company)
            yield sms_api, company_sms
        if others := self - smsc:
            yield from super(SmsSms, others)._split_by_api()

    def _get_send_batch_size(self):
        companies = self._get_sms_company()
        if companies and any(c.sms_provider == "smsc" for c in companies):
            return int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("sms_smsc.batch_size", 1000)
            )
        return super()._get_send_batch_size()

    def _send_with_api(self, sms_api, unlink_failed=False, unlink_sent=True, **kw):
        res = super()._send_with_api(
            sms_api, unlink_failed=unlink_failed, unlink_sent=unlink_sent, **kw
        )
        if isinstance(sms_api, SmsApiSmsc) and sms_api.retry:
            self._smsc_retry_later(sms_api.retry)
            sms_api.retry = {}
        return res

    def _smsc_retry_later(self, reasons):
        """The SMS of ``reasons`` ({uuid: reason}) met a temporary error:
        they stay in the queue, for the SMS job's next run, until their
        attempts reach ``sms_smsc.max_attempts`` (3); then they fail."""
        params = self.env["ir.config_parameter"].sudo()
        max_attempts = int(params.get_param("sms_smsc.max_attempts", 3))
        sms_sudo = self.sudo().search([("uuid", "in", list(reasons))])
        for sms in sms_sudo:
            sms.sms_smsc_attempts += 1
        failed = sms_sudo.filtered(lambda s: s.sms_smsc_attempts >= max_attempts)
        for sms in failed:
            sms.sms_tracker_id._action_update_from_sms_state(
                "error", failure_type="sms_server", failure_reason=reasons[sms.uuid]
            )
        failed.write({"state": "error", "failure_type": "sms_server"})
        if sms_sudo - failed:
            _logger.info("SMSC: %s SMS left in the queue", len(sms_sudo - failed))
            self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger(
                fields.Datetime.now() + timedelta(minutes=1)
            )

    def _handle_call_result_hook(self, results):
        """Store, on each SMS's tracker, what a delivery report will name
        (``sms_smsc_key``) and the price SMSC reported, in the company's
        currency (``sms_price``). Set-based: one statement per batch."""
        sent = [r for r in results if r.get("sms_smsc_key")]
        if sent:
            rate = self[:1]._get_sms_company()._smsc_price_rate() if self else 1.0
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE sms_tracker t
                       SET sms_smsc_key = v.key, sms_price = v.price * %s
                      FROM unnest(%s::varchar[], %s::varchar[], %s::float8[])
                           AS v(uuid, key, price)
                     WHERE t.sms_uuid = v.uuid
                    """,
                    rate,
                    [r["uuid"] for r in sent],
                    [r["sms_smsc_key"] for r in sent],
                    [r["sms_price"] for r in sent],
                )
            )
            self.env["sms.tracker"].invalidate_model(["sms_smsc_key", "sms_price"])
        return super()._handle_call_result_hook(results)
