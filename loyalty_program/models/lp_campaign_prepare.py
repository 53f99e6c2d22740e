import ast

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import placeholders
from .lp_campaign_preview import FIGURES
from .lp_campaign_recipient import REASONS

SAMPLE_ROW = {
    "name": "Konstantin Konstantinopolsky",
    "balance": 12345.0,
    "tier_id": False,
    "expiring_points": 1234.0,
    "expiring_date": fields.Date.from_string("2026-12-31"),
    "gift_points": 500.0,
    "card_ending": "1234",
}


class LpCampaign(models.Model):
    """Preparing and scheduling a campaign through
    :class:`lp.message.dispatch`, and rendering its texts."""

    _inherit = "lp.campaign"  # pylint: disable=consider-merging-classes-inherited

    def _audience_sql(self):
        """SQL selecting the partner ids of the audience."""
        self.ensure_one()
        if self.segment_id:
            return SQL(
                "SELECT partner_id FROM lp_segment_partner_rel WHERE segment_id = %s",
                self.segment_id.id,
            )
        domain = Domain(ast.literal_eval(self.domain or "[]")) & Domain(
            "company_id", "in", [False, self.company_id.id]
        )
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_company(self.company_id)
            .with_context(active_test=True)
        )
        query = partners._search(domain)
        query.order = None
        return query.subselect()

    def _dispatch_spec(self):
        """What :meth:`lp.message.dispatch._prepare` needs. Meant to be
        overridden."""
        self.ensure_one()
        return {
            "owner": {"campaign_id": self.id},
            "audience": self._audience_sql(),
            "company": self.company_id,
            "program": self.program_id,
            "config": self.env["lp.campaign.config"]._for_company(self.company_id),
            "caps": self._caps(),
            "channel": self.channel,
            "control_percent": self.control_percent,
            "seed": f"lp.campaign:{self.id}",
            "day": self.send_date,
            "gift_points": self.gift_points,
            "gift_lifetime_days": self.gift_lifetime_days,
            "gift_key": f"campaign:{self.id}",
        }

    def _caps(self):
        """The frequency caps the campaign's messages obey: the company's
        (campaign settings), shared with the triggers."""
        self.ensure_one()
        config = self.env["lp.campaign.config"]._for_company(self.company_id)
        return self.env["lp.message.dispatch"]._caps(config)

    def _prepare(self):
        self.ensure_one()
        spec = self._dispatch_spec()
        self.env["lp.message.dispatch"]._prepare(spec)
        self.sudo().write(
            dict(
                self._preview_values(spec),
                prepared_date=fields.Datetime.now(),
                preview_warning=False,
            )
        )

    def _preview_values(self, spec, recount=False):
        """The preview's figures, counted from the rows: the SMS rendered
        and counted as they will be sent, or (``recount``, once the mailings
        exist) counted again from the texts rendered at the preview."""
        dispatch = self.env["lp.message.dispatch"]
        counts = dispatch._summary(spec["owner"])
        if recount:
            longest, longest_parts, total_parts = dispatch._recount_sms_parts(
                spec["owner"]
            )
        else:
            longest, longest_parts, total_parts = dispatch._count_sms_parts(
                spec["owner"], self._sms_template
            )
        reached = {"target", "scheduled"}

        def total(states=None, reason=None, channel=None):
            return sum(
                count
                for (s, r, c), (count, _parts) in counts.items()
                if (states is None or s in states)
                and (reason is None or r == reason)
                and (channel is None or c == channel)
            )

        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(DISTINCT scheduled_date), MIN(scheduled_date),
                       MAX(scheduled_date), COALESCE(SUM(gift_points), 0)
                  FROM lp_campaign_recipient
                 WHERE campaign_id = %s AND state IN ('target', 'scheduled')
                """,
                self.id,
            )
        )
        buckets, first, last, gifts = self.env.cr.fetchone()
        values = {
            "audience_count": total(),
            "email_count": total(reached, channel="email"),
            "sms_count": total(reached, channel="sms"),
            "control_count": total({"control"}),
            "bucket_count": buckets,
            "first_send": first,
            "last_send": last,
            "gift_total": gifts,
            "sms_longest": longest,
            "sms_longest_parts": longest_parts,
            "sms_total_parts": total_parts,
            "sms_cost": total_parts * spec["config"].sms_part_price,
        }
        for reason, _label in REASONS:
            if f"{reason}_count" in self._fields:
                values[f"{reason}_count"] = total({"skipped"}, reason)
        return values

    def _schedule(self):
        """Fix the send moments as of now, enforce the frequency cap again
        over everything queued since the preview, make the mailings and
        count each SMS as it will be sent. When a figure differs from the
        preview, nothing is queued: the preview shows the new figures and
        says what changed (returned). Returns False once scheduled."""
        self.ensure_one()
        dispatch = self.env["lp.message.dispatch"]
        spec = self._dispatch_spec()
        owner = spec["owner"]
        before = {name: self[name] for name in FIGURES}
        dispatch._lock_caps(self.company_id)
        dispatch._fix_moments(owner, spec["day"], spec["config"])
        dispatch._apply_cap(owner, spec["caps"])
        if not self.utm_campaign_id:
            self.sudo().utm_campaign_id = (
                self.env["utm.campaign"]
                .sudo()
                .create({"name": self.name, "user_id": self.user_id.id})
            )
        mailings = dispatch._create_mailings(owner, self._mailing_values, queue=False)
        values = self._preview_values(spec, recount=True)
        changes = self._figure_changes(before, values)
        if changes:
            dispatch._drop_mailings(mailings)
            warning = self.env._(
                "%(campaign)s was not scheduled: its figures changed since the "
                "preview (%(changes)s). Check the preview and schedule again.",
                campaign=self.name,
                changes=changes,
            )
            self.sudo().write(
                dict(
                    values,
                    prepared_date=fields.Datetime.now(),
                    preview_warning=warning,
                )
            )
            return warning
        if not mailings:
            raise UserError(
                self.env._("Nobody in the audience can receive this campaign.")
            )
        mailings.action_put_in_queue()
        self.sudo().write(dict(values, preview_warning=False))
        self.state = "scheduled"
        return False

    def _mailing_values(self, channel, moment):
        """Values of the mailing of one channel and send moment. Meant to be
        overridden."""
        self.ensure_one()
        return dict(
            self.env["lp.message.dispatch"]._mailing_values(
                self.name,
                channel,
                moment,
                [("campaign_id", "=", self.id)],
                self.utm_campaign_id.id,
                self.user_id.id or self.env.uid,
            ),
            lp_campaign_id=self.id,
        )

    # Texts

    def _sms_template(self, lang):
        self.ensure_one()
        return self.with_context(lang=lang).sms_body or ""

    def _sms_sample(self):
        """The SMS as the customer with the longest text gets it when the
        campaign is prepared, else rendered with long sample values; both
        as the operator gets them (short links, opt-out line)."""
        self.ensure_one()
        if (
            self.prepared_date
            and self.sms_longest
            and self.sms_body == self._origin.sms_body
        ):
            return self.sms_longest
        if not (self.sms_body or "").strip():
            return ""
        lang = self.env.lang or "en_US"
        dispatch = self.env["lp.message.dispatch"]
        values = dispatch._format([SAMPLE_ROW], lang)[0]
        return dispatch._sms_finisher()(
            placeholders.render(self.sms_body, values),
            lang,
            self.env["mailing.mailing"],
        )

    def _render_recipients(self, recipients):
        """{recipient id: {'sms', 'subject', 'html'}} in each one's language."""
        self.ensure_one()
        return self.env["lp.message.dispatch"]._render_texts(self, recipients)

    def _sync_state(self):
        """scheduled -> sending -> done, following the mailings."""
        for campaign in self.filtered(lambda c: c.state in ("scheduled", "sending")):
            states = set(campaign.mailing_ids.mapped("state"))
            if states and states <= {"done"}:
                campaign.state = "done"
            elif states & {"sending", "done"}:
                campaign.state = "sending"
