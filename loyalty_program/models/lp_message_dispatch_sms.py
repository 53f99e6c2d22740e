from html import unescape

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.link_tracker.models.link_tracker import LINK_TRACKER_MIN_CODE_LENGTH

from ..tools import sms_parts


class LpMessageDispatch(models.AbstractModel):
    """The SMS as the operator bills it. Odoo's mass SMS rewrites the text
    of a row before sending: links become short links with the SMS id,
    and the opt-out line (``sms_allow_unsubscribe``, Odoo's ``/sms/`` page)
    is added in the customer's language. The parts of the preview, the SMS
    cost and the ROI are counted on that body: predicted here before
    sending (exactly once the mailings exist, their link trackers made as
    the send will find them), and stored again from the body actually
    handed to the gateway (``sms.composer._prepare_mass_sms``)."""

    _inherit = "lp.message.dispatch"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _sms_opt_out(self):
        """Whether the dispatch's SMS carry Odoo's opt-out link: advertising
        by SMS stops as soon as the customer asks (Russian law on
        advertising, art. 18), and the SMS in hand is the surest way to ask.
        Meant to be overridden (a gateway with its own opt-out keyword)."""
        return True

    @api.model
    def _active_lang(self, lang):
        """``lang`` when it is an active language, else English."""
        if lang and lang != "en_US" and self.env["res.lang"]._get_data(code=lang):
            return lang
        return "en_US"

    @api.model
    def _sequence_last(self, table):
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(pg_sequence_last_value("
                "pg_get_serial_sequence(%s, 'id')), 0)",
                table,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _sms_finisher(self, count=0):
        """A function ``finish(text, lang, mailing)`` returning the SMS as
        Odoo's mass SMS will hand it to the operator (:func:`sms_parts.as_sent`).
        With its ``mailing`` known, the short links are the trackers the
        send will find and the opt-out link is the mailing's; without, both
        have the length they will have (the latest tracker code's, the next
        mailing id's). The SMS id of the links is that of the ``count``-th
        next SMS: a boundary of a power of ten crossed meanwhile (a digit
        more) is the one thing left to chance."""
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        composer = self.env["sms.composer"]
        trackers = self.env["link.tracker"].sudo()
        self.env.cr.execute(
            "SELECT code FROM link_tracker_code ORDER BY id DESC LIMIT 1"
        )
        latest = self.env.cr.fetchone()
        code_length = max(LINK_TRACKER_MIN_CODE_LENGTH, len(latest[0]) if latest else 0)
        sms_id = "9" * len(str(self._sequence_last("sms_sms") + max(count, 1)))
        next_mailing = self._sequence_last("mailing_mailing") + 1
        trace_code = "x" * self.env["mailing.trace"].CODE_SIZE
        with_opt_out = self._sms_opt_out()
        short_links, opt_outs = {}, {}

        def short_link(mailing):
            def shorten(url):
                if not mailing:
                    return f"{base_url}/r/{'x' * code_length}"
                key = (mailing.id, url)
                if key not in short_links:
                    values = dict(mailing._get_link_tracker_values(), url=unescape(url))
                    short_links[key] = trackers.search_or_create([values]).short_url
                return short_links[key]

            return shorten

        def finish(text, lang, mailing):
            lang = self._active_lang(lang)
            key = (lang, mailing.id)
            if with_opt_out and key not in opt_outs:
                url = composer._get_unsubscribe_url(
                    mailing.id or next_mailing, trace_code
                )
                opt_outs[key] = composer.with_context(lang=lang)._get_unsubscribe_info(
                    url
                )
            return sms_parts.as_sent(
                text or "", base_url, short_link(mailing), sms_id, opt_outs.get(key, "")
            )

        return finish

    @api.model
    def _store_sms_parts(self, rendered, store_text=False):
        """Store the parts of each SMS of ``rendered`` (tuples ``(row id,
        lang, text as rendered, mailing id, is control)``) as the operator
        will get it (:meth:`_sms_finisher`), with the text when
        ``store_text``; return (longest SMS as sent, its parts, total parts
        of the rows that get it, control rows aside)."""
        finish = self._sms_finisher(count=len(rendered))
        mailings = self.env["mailing.mailing"].sudo()
        ids, counts, texts = [], [], []
        longest, longest_parts, total = "", 0, 0
        for row_id, lang, text, mailing_id, is_control in rendered:
            sent = finish(text, lang, mailings.browse(mailing_id))
            parts = sms_parts.count(sent).parts
            ids.append(row_id)
            counts.append(parts)
            texts.append(text)
            if not is_control:
                total += parts
            if (parts, len(sent)) > (longest_parts, len(longest)):
                longest, longest_parts = sent, parts
        if ids:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE lp_campaign_recipient r
                       SET sms_parts = u.parts,
                           sms_rendered = CASE WHEN %s THEN u.text
                                               ELSE r.sms_rendered END
                      FROM unnest(%s::int[], %s::int[], %s::text[])
                           AS u(id, parts, text)
                     WHERE r.id = u.id
                    """,
                    store_text,
                    ids,
                    counts,
                    texts,
                )
            )
            self.env["lp.campaign.recipient"].invalidate_model(
                ["sms_parts", "sms_rendered"]
            )
        return longest, longest_parts, total

    @api.model
    def _recount_sms_parts(self, owner):
        """Count again the SMS of the owner's rows from their stored text,
        now that they have their mailings (the links and the opt-out link
        they will really get): no rendering again. Returns as
        :meth:`_store_sms_parts`."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id, COALESCE(r.lang, 'en_US'), r.sms_rendered,
                       r.mailing_id, r.is_control
                  FROM lp_campaign_recipient r
                 WHERE %s AND r.channel = 'sms' AND r.sms_rendered IS NOT NULL
                   AND r.state IN ('target', 'control', 'scheduled')
                """,
                self._owner_sql(owner),
            )
        )
        return self._store_sms_parts(self.env.cr.fetchall())

    @api.model
    def _store_sent_sms_parts(self, recipients, sms):
        """Each row of ``recipients`` keeps the parts of its SMS in ``sms``
        (same order) as handed to the operator: what the cost counts."""
        ids, parts = [], []
        for recipient, message in zip(recipients, sms, strict=True):
            ids.append(recipient.id)
            parts.append(sms_parts.count(message.body or "").parts)
        if ids:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE lp_campaign_recipient r SET sms_parts = u.parts
                      FROM unnest(%s::int[], %s::int[]) AS u(id, parts)
                     WHERE r.id = u.id AND r.sms_parts IS DISTINCT FROM u.parts
                    """,
                    ids,
                    parts,
                )
            )
            self.env["lp.campaign.recipient"].invalidate_model(["sms_parts"])
