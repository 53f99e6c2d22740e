import json
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from requests import Response

from odoo.tests.common import TransactionCase

from ..tools import smsc

ENDPOINT = "https://smsc.test"
PRICE_PER_PART = 1.95


class SmscMock:
    """SMSC.ru at the HTTP level, as Odoo's tests allow it (the test class's
    ``_request_handler``; every other outgoing request is blocked): the
    documented request fields and answer shapes of ``/sys/send.php``
    (``phones``+``mes`` or ``list``, ``fmt=3``, ``cost=3``, ``op=1``).

    Controls, set per test: ``smsc_errors`` (request-level ``error_code``
    answers, one consumed per request, ``None`` for a normal answer),
    ``smsc_phone_errors`` ({phone digits: error code} for the per-phone
    errors of ``op=1``), ``smsc_http_status`` (a 5xx for the next request).
    Every request received is in ``smsc_requests`` (decoded fields); each
    SMS handed over in ``smsc_sent`` (id, phone, text, cost)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("sms_smsc.endpoint", ENDPOINT)
        cls.env["ir.config_parameter"].sudo().set_param("sms_smsc.retry_delays", "0,0")
        cls._smsc_reset()

    @classmethod
    def _smsc_reset(cls):
        cls.smsc_requests = []
        cls.smsc_sent = []
        cls.smsc_errors = []
        cls.smsc_phone_errors = {}
        cls.smsc_http_status = None
        cls.smsc_next_id = 1000

    @classmethod
    def smsc_set(cls, **controls):
        """Set the mock's controls (on the class, where the request handler
        reads them): ``errors``, ``phone_errors``, ``http_status``."""
        for name, value in controls.items():
            setattr(cls, f"smsc_{name}", value)

    @classmethod
    def _request_handler(cls, session, request, **kwargs):
        url = urlsplit(request.url)
        if f"{url.scheme}://{url.netloc}" != ENDPOINT:
            return super()._request_handler(session, request, **kwargs)
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode()
        fields = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
        cls.smsc_requests.append(fields)
        if cls.smsc_http_status:
            status, cls.smsc_http_status = cls.smsc_http_status, None
            return cls._smsc_response("<html>Bad gateway</html>", status)

        if url.path == "/sys/send.php":
            return cls._smsc_response(json.dumps(cls._smsc_send(fields)))
        return cls._smsc_response(json.dumps({"error": "unknown", "error_code": 1}))

    @classmethod
    def _smsc_response(cls, text, status=200):
        response = Response()
        response.status_code = status
        response._content = text.encode()
        response.encoding = "utf-8"
        response.headers["Content-Type"] = "application/json"
        return response

    @classmethod
    def _smsc_send(cls, fields):
        assert fields["fmt"] == "3" and fields["charset"] == "utf-8", fields
        if cls.smsc_errors:
            code = cls.smsc_errors.pop(0)
            if code:
                return {"error": f"error {code}", "error_code": code}
        if fields.get("login") != "shop" or fields.get("psw") != "secret":
            return {"error": "authorise error", "error_code": 2}
        if "list" in fields:
            pairs = []
            for line in fields["list"].split("\n"):
                phone, text = line.split(":", 1)
                pairs.append((phone, text.replace("\\n", "\n")))
        else:
            pairs = [(phone, fields["mes"]) for phone in fields["phones"].split(",")]
        cls.smsc_next_id += 1
        smsc_id = cls.smsc_next_id
        phones, total, count = [], 0.0, 0
        for number, text in pairs:
            phone = number.lstrip("+")  # SMSC answers with digits
            error = cls.smsc_phone_errors.get(phone, 0)
            cost = 0.0 if error else smsc.parts(text) * PRICE_PER_PART
            if not error:
                cls.smsc_sent.append(
                    {"id": smsc_id, "phone": phone, "text": text, "cost": cost}
                )
                count += smsc.parts(text)
            total += cost
            phones.append(
                {
                    "phone": phone,
                    "mccmnc": "25001",
                    "cost": f"{cost:.2f}",
                    "status": "-1" if not error else "-",
                    "error": str(error),
                }
            )
        return {
            "id": smsc_id,
            "cnt": count,
            "cost": f"{total:.2f}",
            "balance": "1000.00",
            "phones": phones,
        }


class SmscCase(SmscMock, TransactionCase):
    """A company sending through SMSC (login ``shop``), its token set."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.sudo().write(
            {
                "sms_provider": "smsc",
                "sms_smsc_login": "shop",
                "sms_smsc_password": "secret",
                "sms_smsc_sender": "SHOP",
                "sms_smsc_currency_id": cls.company.currency_id.id,
            }
        )
        cls.callback_url = cls.company._smsc_callback_url()
        cls.token = cls.company.sudo().sms_smsc_token

    def setUp(self):
        super().setUp()
        self._smsc_reset()

    @contextmanager
    def no_sleep(self):
        with patch("odoo.addons.sms_smsc.tools.smsc_api.time.sleep") as sleep:
            yield sleep

    def send_numbers(self, numbers, body):
        """Send ``body`` to ``numbers`` as the composer in numbers mode."""
        composer = self.env["sms.composer"].create(
            {"body": body, "composition_mode": "numbers", "numbers": ",".join(numbers)}
        )
        composer._action_send_sms()

    def tracker_of(self, phone):
        return self.env["sms.tracker"].search(
            [("sms_smsc_key", "=like", f"%:{smsc.digits(phone)}")]
        )
