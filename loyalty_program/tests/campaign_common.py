from datetime import timedelta

from odoo import fields

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

from .stats_common import StatsCase


class CampaignCase(StatsCase, MockEmail, MockSMS):
    """Loyalty and statistics fixtures, Odoo's email and SMS gateway mocks,
    campaign settings (Moscow by default, 10:00-21:00, cap 3 per 7 days,
    2.5 per SMS part) and six customers, members with a card:

    * Anna (Moscow, both consents, prefers SMS),
    * Boris (Vladivostok, email consent only),
    * Clara (Kaliningrad, SMS consent only),
    * Dima (consented to nothing), Eva (email consent, no email),
    * Fedor (email consent, email blacklisted before the addon knew)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.env["lp.campaign.config"]._for_company(cls.company)
        cls.config.write(
            {
                "tz": "Europe/Moscow",
                "hour_from": 10.0,
                "hour_to": 21.0,
                "cap_messages": 3,
                "cap_days": 7,
                "sms_part_price": 2.5,
                "control_percent": 10.0,
            }
        )
        cls.send_day = fields.Date.today() + timedelta(days=3)
        Partner = cls.env["res.partner"]
        cls.anna = cls.partner
        cls.anna.write(
            {
                "email": "anna@example.com",
                "tz": "Europe/Moscow",
                "lp_consent_email": True,
                "lp_consent_sms": True,
                "lp_preferred_channel": "sms",
            }
        )
        cls.boris = Partner.create(
            {
                "name": "Boris Petrov",
                "email": "boris@example.com",
                "phone": "+7 914 000 11 22",
                "tz": "Asia/Vladivostok",
                "lp_consent_email": True,
            }
        )
        cls.clara = Partner.create(
            {
                "name": "Clara Sidorova",
                "phone": "+7 401 222 33 44",
                "tz": "Europe/Kaliningrad",
                "lp_consent_sms": True,
            }
        )
        cls.dima = Partner.create(
            {
                "name": "Dima Nobody",
                "email": "dima@example.com",
                "phone": "+79161112233",
            }
        )
        cls.eva = Partner.create({"name": "Eva Noaddress", "lp_consent_email": True})
        cls.fedor = Partner.create(
            {
                "name": "Fedor Blocked",
                "email": "fedor@example.com",
                "lp_consent_email": True,
            }
        )
        # blacklisted before the addon listened: consent still set
        cls.env.cr.execute(
            "INSERT INTO mail_blacklist (email, active) "
            "VALUES ('fedor@example.com', TRUE)"
        )
        cls.customers = (
            cls.anna | cls.boris | cls.clara | cls.dima | cls.eva | cls.fedor
        )
        cls.members = {cls.anna.id: cls.member}
        cards = (
            cls.env["lp.card.batch"]._generate(cls.program, 6).card_ids.sorted("number")
        )
        for index, partner in enumerate(cls.customers):
            # Joined without the welcome bonus: balances start at 0.
            member = cls.members.get(partner.id) or cls.env["lp.member"]._enrol(
                partner, cls.program, welcome=False
            )
            cls.members[partner.id] = member
            cards[index]._assign(member)
        cls.segment = cls.env["lp.segment"].create(
            {
                "name": "Campaign test customers",
                "domain": repr([("id", "in", cls.customers.ids)]),
            }
        )
        cls.segment._refresh()

    @classmethod
    def make_campaign(cls, **values):
        return cls.env["lp.campaign"].create(
            {
                "name": "Spring offer",
                "segment_id": cls.segment.id,
                "program_id": cls.program.id,
                "channel": "auto",
                "send_date": cls.send_day,
                "control_percent": 0.0,
                "gift_points": 50.0,
                "gift_lifetime_days": 30,
                "email_subject": "{first_name}, a gift for you",
                "email_body": "<p>Hello {name}, {gift_points} points are yours. "
                "Balance: {balance}.</p>",
                "sms_body": "{first_name}, +{gift_points} points! Card *{card_ending}",
                **values,
            }
        )

    @staticmethod
    def schedule(campaign):
        """Preview, then schedule with the figures of the preview."""
        campaign.action_prepare()
        campaign.action_schedule()

    def recipient(self, campaign, partner):
        return campaign.recipient_ids.filtered(lambda r: r.partner_id == partner)

    @staticmethod
    def first_lines(sms):
        """{number: text} of ``sms`` without the opt-out line Odoo adds."""
        return {s.number: s.body.split("\nSTOP SMS: ")[0] for s in sms}

    def send(self, campaign):
        """Send the campaign's mailings as the queue would when their time
        comes, through the mocked gateways."""
        with self.mock_mail_gateway(), self.mockSMSGateway():
            for mailing in campaign.mailing_ids.sorted("schedule_date"):
                mailing._action_send_mail()
