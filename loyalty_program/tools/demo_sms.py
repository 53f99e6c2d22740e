"""An SMS gateway for the demo database: nothing leaves the machine.

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
