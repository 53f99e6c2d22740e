import hmac
import logging
import re

from werkzeug.exceptions import BadRequest, Forbidden

from odoo.http import Controller, request, route

from ..tools import smsc

_logger = logging.getLogger(__name__)

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
SMSC_ID = re.compile(r"^\d{1,20}$")
STATUS = re.compile(r"^-?\d{1,3}$")


class SmscController(Controller):
    @route(
        "/sms_smsc/status/<string:token>",
        type="http",
        auth="public",
        methods=["POST", "GET"],
        csrf=False,
        save_session=False,
    )
    def smsc_status(self, token, **params):
        """SMSC's delivery report (the status handler of the account's
        settings): ``id``, ``phone``, ``status`` and ``err`` as form fields.
        The address carries the company's secret token: any other caller
        gets 403 and changes nothing; a malformed report gets 400."""
        company = self._company_of(token)
        if not company:
            _logger.warning("SMSC: status report with an unknown token refused")
            raise Forbidden()
        smsc_id, phone = params.get("id"), smsc.digits(params.get("phone"))
        status = params.get("status")
        if not (
            isinstance(smsc_id, str)
            and SMSC_ID.match(smsc_id)
            and 5 <= len(phone) <= 20
            and isinstance(status, str)
            and STATUS.match(status)
            and int(status) in smsc.STATUSES
        ):
            _logger.warning("SMSC: malformed status report refused: %s", params)
            raise BadRequest()
        if smsc.report(status)[0] is None:
            return "OK"  # still queued at SMSC, or unknown to it: nothing to do
        error = params.get("err")
        error = error if isinstance(error, str) and error.isdigit() else None
        key = f"{company.id}:{smsc_id}:{phone}"
        trackers = (
            request.env["sms.tracker"].sudo().search([("sms_smsc_key", "=", key)])
        )
        if trackers:
            trackers._smsc_update(int(status), error)
        else:
            # its batch may still be saving: kept for the SMSC reports job
            request.env["sms.smsc.report"].sudo().create(
                {"key": key, "status": int(status), "error": error}
            )
        return "OK"

    def _company_of(self, token):
        """The company whose status token is ``token`` (compared in
        constant time), or None."""
        if not isinstance(token, str) or not TOKEN.match(token):
            return None
        companies = (
            request.env["res.company"]
            .sudo()
            .search([("sms_provider", "=", "smsc"), ("sms_smsc_token", "!=", False)])
        )
        for company in companies:
            if hmac.compare_digest(company.sms_smsc_token, token):
                return company
        return None
