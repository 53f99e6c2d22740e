from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, html2plaintext

# What the preview depends on: a change invalidates the preview of a draft
# and is refused once the campaign is scheduled.
PREVIEW_FIELDS = (
    "company_id",
    "segment_id",
    "domain",
    "program_id",
    "channel",
    "send_date",
    "control_percent",
    "gift_points",
    "gift_lifetime_days",
    "email_subject",
    "email_body",
    "sms_body",
)
# The figures of the preview the manager schedules with.
FIGURES = (
    "audience_count",
    "email_count",
    "sms_count",
    "control_count",
    "no_consent_count",
    "no_address_count",
    "blacklisted_count",
    "capped_count",
    "gift_total",
    "sms_total_parts",
    "sms_cost",
)
LOCKED_STATES = ("scheduled", "sending", "done")


class LpCampaign(models.Model):
    """What is sent is what was previewed: changing what the preview
    depends on (:data:`PREVIEW_FIELDS`, translations included) invalidates
    the preview of a draft, with the reason shown, and is refused once the
    campaign is scheduled; scheduling needs a valid preview, and does not go
    on when its figures (:data:`FIGURES`) are no longer those of the
    preview (``lp_campaign_prepare.py``)."""

    _inherit = "lp.campaign"  # pylint: disable=consider-merging-classes-inherited

    preview_warning = fields.Text(
        readonly=True,
        copy=False,
        help="Why the preview is to be made or looked at again before the "
        "campaign is scheduled.",
    )

    def write(self, vals):
        changes = self._preview_changes(vals)
        result = super().write(vals)
        self._outdate_previews(changes)
        return result

    def update_field_translations(self, field_name, translations, *args, **kwargs):
        changes = {}
        if field_name in PREVIEW_FIELDS:
            changes = {campaign: [field_name] for campaign in self}
            self._check_preview_editable(changes)
        result = super().update_field_translations(
            field_name, translations, *args, **kwargs
        )
        self._outdate_previews(changes)
        return result

    def _preview_changes(self, vals):
        """{campaign: [field names]} of the preview's fields ``vals``
        changes; refused for a scheduled campaign."""
        names = [name for name in PREVIEW_FIELDS if name in vals]
        changes = {}
        for campaign in self if names else ():
            changed = [name for name in names if campaign._differs(name, vals[name])]
            if changed:
                changes[campaign] = changed
        self._check_preview_editable(changes)
        return changes

    def _differs(self, name, value):
        self.ensure_one()
        field = self._fields[name]
        new = field.convert_to_record(field.convert_to_cache(value, self), self)
        return new != self[name]

    def _check_preview_editable(self, changes):
        for campaign, names in changes.items():
            if campaign.state in LOCKED_STATES:
                raise UserError(
                    self.env._(
                        "%(campaign)s is scheduled: %(fields)s can no longer "
                        "change. Cancel it first, then change it and preview it "
                        "again.",
                        campaign=campaign.name,
                        fields=campaign._labels(names),
                    )
                )

    def _outdate_previews(self, changes):
        for campaign, names in changes.items():
            if campaign.state == "draft" and campaign.prepared_date:
                campaign.sudo().write(
                    {
                        "prepared_date": False,
                        "preview_warning": self.env._(
                            "Preview again: %(fields)s changed after the preview.",
                            fields=campaign._labels(names),
                        ),
                    }
                )

    def _labels(self, names):
        return ", ".join(
            self._fields[name].get_description(self.env)["string"] for name in names
        )

    def _check_send_date(self):
        self.ensure_one()
        if self.send_date < fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "%(campaign)s: its day (Send on) has passed. Choose today or a "
                    "later day.",
                    campaign=self.name,
                )
            )

    def _check_previewed(self):
        self.ensure_one()
        if not self.prepared_date:
            raise UserError(
                self.preview_warning
                or self.env._(
                    "Preview the audience first: a campaign goes out with the "
                    "figures its preview shows."
                )
            )

    def _figure_changes(self, before, after):
        """The figures that differ, as text, or an empty string."""
        rounding = self.currency_id.rounding or 0.01
        changed = []
        for name in FIGURES:
            old, new = before[name], after[name]
            if isinstance(old, float) or isinstance(new, float):
                same = not float_compare(old, new, precision_rounding=rounding)
            else:
                same = old == new
            if not same:
                changed.append(
                    self.env._(
                        "%(figure)s: %(before)s → %(after)s",
                        figure=self._labels([name]),
                        before=old,
                        after=new,
                    )
                )
        return "; ".join(changed)

    def _check_texts(self):
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT channel FROM lp_campaign_recipient
                 WHERE campaign_id = %s AND state = 'target'
                """,
                self.id,
            )
        )
        channels = {row[0] for row in self.env.cr.fetchall()}
        if "email" in channels and not (
            self.email_subject and html2plaintext(self.email_body or "").strip()
        ):
            raise UserError(self.env._("Write the email's subject and text first."))
        if "sms" in channels and not (self.sms_body or "").strip():
            raise UserError(self.env._("Write the SMS text first."))
