import logging
import time

import requests

from odoo.addons.sms.tools.sms_api import SmsApiBase

from . import smsc

_logger = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://smsc.ru"
TIMEOUT = 15


class SmsApiSmsc(SmsApiBase):
    """Sends through SMSC.ru (see :mod:`..tools.smsc` for the protocol).

    ``_send_sms_batch`` returns one result per SMS: ``uuid``, ``state``
    (``success`` or a provider state), ``failure_reason`` and, when sent,
    ``sms_smsc_key`` (company, SMSC id and phone: what a delivery report
    names) and ``sms_price`` (the cost SMSC reported, in the account's
    currency). SMS that met a temporary error (rate limit, blocked IP, the
    gateway unreachable) after the retries of one request get no result:
    they stay in the queue, and :attr:`retry` tells which and why."""

    PROVIDER_TO_SMS_FAILURE_TYPE = (
        SmsApiBase.PROVIDER_TO_SMS_FAILURE_TYPE | smsc.FAILURE_TYPES
    )

    def __init__(self, env, account=None):
        super().__init__(env, account=account)
        self.retry = {}

    # Configuration

    def _company_sudo(self):
        return (self.company or self.env.company).sudo()

    def _param(self, name, default):
        return self.env["ir.config_parameter"].sudo().get_param(name, default)

    def _endpoint(self):
        return self._param("sms_smsc.endpoint", DEFAULT_ENDPOINT).rstrip("/")

    def _retry_delays(self):
        """Seconds to wait before each new try of a request that met a
        temporary error (system parameter ``sms_smsc.retry_delays``)."""
        value = self._param("sms_smsc.retry_delays", "1,5")
        return [float(delay) for delay in value.split(",") if delay.strip()]

    def _request_size(self):
        return int(self._param("sms_smsc.request_size", 100))

    def _credentials(self):
        company = self._company_sudo()
        values = {
            "login": company.sms_smsc_login or "",
            "psw": company.sms_smsc_password or "",
        }
        if company.sms_smsc_sender:
            values["sender"] = company.sms_smsc_sender
        return values

    # Requests

    def _post(self, session, path, data):
        """POST ``data`` (credentials added) to ``path``: (HTTP status, the
        decoded JSON answer or None, the answer's text). A network error
        gives status 0."""
        payload = {**self._credentials(), "fmt": 3, "charset": "utf-8", **data}
        try:
            response = session.post(
                self._endpoint() + path, data=payload, timeout=TIMEOUT
            )
        except requests.exceptions.RequestException as error:
            _logger.warning("SMSC: %s unreachable: %s", path, error)
            return 0, None, str(error)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        return response.status_code, answer, response.text

    def _send_request(self, session, mode, items):
        """One send request for ``items`` ([(index, phone, text)]), tried
        again after each of :meth:`_retry_delays` while the error is
        temporary. Returns (provider state or None, answer). Phones go
        with a "+": SMSC then sends to them as they are, without its
        automatic correction, so that its answer names the same phones."""
        if mode == "list":
            lines = (smsc.list_line(f"+{p}", t) for _i, p, t in items)
            data = {"list": "\n".join(lines)}
        else:
            data = {"phones": ",".join(f"+{p}" for _i, p, _t in items)}
            data["mes"] = items[0][2]
        data.update({"cost": 3, "op": 1})
        delays = self._retry_delays()
        for attempt in range(len(delays) + 1):
            status, answer, text = self._post(session, "/sys/send.php", data)
            if not isinstance(answer, dict) or status >= 500 or status == 0:
                state, temporary = "smsc_unreachable", True
                answer = {"error": text[:200] or f"HTTP {status}"}
            elif status >= 400:
                state, temporary = "smsc_parameters", False
                answer = {"error": text[:200] or f"HTTP {status}"}
            elif "error_code" in answer or "error" in answer:
                state, temporary = smsc.send_error(answer.get("error_code"))
            else:
                return None, answer
            if not temporary or attempt == len(delays):
                return state, answer
            _logger.info("SMSC: %s, trying again in %ss", state, delays[attempt])
            time.sleep(delays[attempt])
        return state, answer  # pragma: no cover

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        """Send ``messages`` (see ``SmsApi._send_sms_batch``)."""
        pairs = [
            (number_info["uuid"], number_info["number"])
            for message in messages
            for number_info in message.get("numbers") or []
        ]
        texts = [
            (message.get("content") or "", [n["number"] for n in message["numbers"]])
            for message in messages
            if message.get("numbers")
        ]
        results = []
        company_id = self._company_sudo().id
        session = requests.Session()
        for mode, items in smsc.plan(texts, self._request_size()):
            valid = [item for item in items if item[1]]
            for index, _phone, _text in set(items) - set(valid):
                results.append(self._failure(pairs[index][0], "wrong_number_format"))
            if not valid:
                continue
            state, answer = self._send_request(session, mode, valid)
            if state in smsc.TEMPORARY:
                for index, _phone, _text in valid:
                    self.retry[pairs[index][0]] = answer.get("error") or state
                continue
            if state:
                results += [
                    self._failure(pairs[index][0], state, answer.get("error"))
                    for index, _phone, _text in valid
                ]
                continue
            results += self._results_of(answer, valid, pairs, company_id)
        return results

    def _results_of(self, answer, items, pairs, company_id):
        """Results of the SMS of ``items`` from a successful ``answer``."""
        by_phone = {
            smsc.digits(entry.get("phone")): entry
            for entry in answer.get("phones") or []
        }
        share = smsc.number(answer.get("cost")) / len(items)
        results = []
        for index, phone, _text in items:
            uuid = pairs[index][0]
            entry = by_phone.get(phone)
            error = entry and str(entry.get("error") or "0").strip()
            if error and error != "0":
                results.append(self._failure(uuid, smsc.send_error(error)[0]))
                continue
            results.append(
                {
                    "uuid": uuid,
                    "state": "success",
                    "failure_reason": False,
                    "sms_smsc_key": f"{company_id}:{answer.get('id')}:{phone}",
                    "sms_price": smsc.number(entry["cost"]) if entry else share,
                }
            )
        return results

    def _failure(self, uuid, state, reason=None):
        return {
            "uuid": uuid,
            "state": state,
            "failure_reason": reason
            or self._get_sms_api_error_messages().get(state)
            or state,
        }

    def _get_sms_api_error_messages(self):
        messages = super()._get_sms_api_error_messages()
        _ = self.env._
        messages.update(
            {
                "smsc_parameters": _("SMSC refused the request's parameters."),
                "smsc_authentication": _("SMSC refused the login or the password."),
                "sms_credit": _("Not enough money on the SMSC account."),
                "smsc_forbidden": _(
                    "SMSC forbids this message: its text or an unregistered "
                    "sender name."
                ),
                "wrong_number_format": _("The phone number is not valid."),
                "smsc_undeliverable": _(
                    "SMSC cannot deliver a message to this number."
                ),
                "smsc_rate_limit": _("SMSC refused too many requests at once."),
                "smsc_blocked": _("SMSC blocked this server's address for a while."),
                "smsc_unreachable": _("SMSC could not be reached."),
            }
        )
        return messages

    # The settings' test

    def _send_test(self, number, text):
        """Send one SMS at once, without retry: (ok, the gateway's answer
        as text)."""
        data = {"phones": f"+{smsc.digits(number)}", "mes": text, "cost": 3, "op": 1}
        status, answer, raw = self._post(requests.Session(), "/sys/send.php", data)
        ok = isinstance(answer, dict) and "error" not in answer and 200 <= status < 300
        if not status:
            raw = self._get_sms_api_error_messages()["smsc_unreachable"] + " " + raw
        return ok, raw
