"""Gateways for the demo database: nothing leaves the machine.

An SMS gateway:

The demo is built offline, inside the install (when Odoo's IAP refuses to
send anyway). The demo puts one of these in the context key
``lp_demo_sms_api``, and ``sms.sms._split_by_api`` (``models/sms_sms.py``)
sends through it: it answers as a gateway would, delivered, or a wrong
number for a stable few, and remembers what was sent (the join page's codes
are read back from it, as the customer reads them).

>>> api = DemoSmsApi(None, failure_percent=0)
>>> api._send_sms_batch([{"content": "123456 is your code",
...                       "numbers": [{"number": "+12025550001", "uuid": "u1"}]}])
[{'uuid': 'u1', 'state': 'delivered', 'credit': 1}]
>>> api.last_code("+12025550001", 6)
'123456'
>>> failing = DemoSmsApi(None, failure_percent=100)
>>> failing._send_sms_batch(
...     [{"content": "Hi", "numbers": [{"number": "+1", "uuid": "u"}]}]
... )
[{'uuid': 'u', 'state': 'wrong_number_format', 'credit': 0}]

An SMTP session that takes every message and sends none (Odoo builds and
"sends" each email as usual, the socket is all that is missing):

>>> smtp = DemoSmtp()
>>> smtp.send_message("message", "shop@example.com", ["anna@example.com"])
>>> smtp.sent, smtp.quit()
(1, None)
"""

import re
import zlib

from odoo.addons.sms.tools.sms_api import SmsApi


class DemoSmsApi(SmsApi):
    """Odoo's IAP SMS API without IAP: same failure types, no network."""

    def __init__(self, env, failure_percent=3):
        # no IAP account: nothing is ever sent
        self.env = env
        self.failure_percent = failure_percent
        self.sent = []

    def _fails(self, number, content):
        key = f"{number}:{content}".encode()
        return zlib.crc32(key) % 100 < self.failure_percent

    def _send_sms_batch(self, messages, delivery_reports_url=False):
        results = []
        for message in messages:
            for number in message["numbers"]:
                if self._fails(number["number"], message["content"]):
                    state, credit = "wrong_number_format", 0
                else:
                    state, credit = "delivered", 1
                    self.sent.append((number["number"], message["content"]))
                results.append(
                    {"uuid": number["uuid"], "state": state, "credit": credit}
                )
        return results

    def last_code(self, number, digits):
        """The last code of ``digits`` digits sent to ``number``."""
        for sent_to, content in reversed(self.sent):
            if sent_to == number:
                found = re.search(rf"\b\d{{{digits}}}\b", content)
                if found:
                    return found.group(0)
        return None


class DemoSmtp:
    """What ``ir.mail_server._connect__`` returns during the demo: an SMTP
    session without a server."""

    from_filter = False
    smtp_from = False

    def __init__(self):
        self.sent = 0

    def send_message(self, message, from_addr=None, to_addrs=None):
        self.sent += 1

    def quit(self):
        return None
