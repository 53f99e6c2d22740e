from contextlib import contextmanager
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import daytime

EXPIRING_DAYS = 30


@contextmanager
def no_jit(cr):
    """Run set-based statements without PostgreSQL's JIT: compiling one of
    these wide statements costs far more (tens of seconds) than it saves."""
    cr.execute("SELECT current_setting('jit')")
    previous = cr.fetchone()[0]
    cr.execute("SET LOCAL jit = off")
    # No reset when the block fails: the transaction is aborted (a query
    # would hide the error, e.g. a serialization failure Odoo retries), and
    # its rollback restores the setting anyway.
    yield
    cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))


class LpMessageDispatch(models.AbstractModel):
    """The machinery campaigns and triggers share, set-based: who gets a
    message on which channel (consent, preferred channel, valid address,
    blacklists), who is held out as control, who is capped, at what UTC
    moment each customer's local window opens, the stored recipient rows,
    one ``mailing.mailing`` per channel and moment, and the gift once sent.

    Every method works on the recipient rows of an *owner*: a dict of
    ``lp.campaign.recipient`` columns and values that the rows of one run
    carry (``{"campaign_id": 7}``; a trigger run its own)."""

    _name = "lp.message.dispatch"
    _description = "Message Dispatch"

    # Preparation

    @api.model
    def _owner_sql(self, owner, alias="r"):
        return SQL(" AND ").join(
            SQL("%s = %s", SQL.identifier(alias, column), value)
            for column, value in owner.items()
        )

    @api.model
    def _prepare(self, spec):
        """Store one recipient row per customer of ``spec['audience']`` and
        return the counts (:meth:`_summary`). ``spec`` holds:

        * ``owner``: columns identifying the rows (see the class);
        * ``audience``: SQL selecting the partner ids (one column);
        * ``company``, ``program`` (may be empty: no member figures, no gift);
        * ``channel``: ``email``, ``sms`` or ``auto`` (each customer's own:
          the preferred channel when allowed, else email, else SMS);
        * ``control_percent`` and ``seed``: the hold-out, reproducible (the
          same seed and customer always fall on the same side);
        * ``day``, ``not_before`` (UTC), and the config (``lp.campaign.config``:
          window, default time zone, cap);
        * ``caps``: the frequency caps, ``[(messages, days)]`` (default:
          the config's; see :meth:`_apply_cap`);
        * ``gift_points``, ``gift_lifetime_days``, ``gift_key``.

        Rows of the owner prepared earlier are replaced. Meant to be
        overridden to add conditions (call super, then update the rows)."""
        owner = spec["owner"]
        config = spec["config"]
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL("DELETE FROM lp_campaign_recipient r WHERE %s", self._owner_sql(owner))
        )
        now = fields.Datetime.now()
        program = spec.get("program")
        columns = list(owner)
        moments = self._send_moments(
            spec["day"], config, not_before=max(spec.get("not_before") or now, now)
        )
        with no_jit(cr):
            self._insert_rows(spec, owner, columns, now, program, config, moments)
            self._apply_cap(owner, spec.get("caps") or self._caps(config))
        self.env["lp.campaign.recipient"].invalidate_model()
        return self._summary(owner)

    @api.model
    def _insert_rows(self, spec, owner, columns, now, program, config, moments):
        # creator left empty: the rows are the system's, and a foreign key
        # check per row on the same user row costs more than the insert
        default_tz = config.tz or "UTC"
        self.env.cr.execute(
            SQL(
                """
                WITH audience AS (%(audience)s),
                p AS (
                    SELECT rp.id AS partner_id, rp.lang,
                           COALESCE(NULLIF(rp.tz, ''), %(tz)s) AS tz,
                           rp.email_normalized AS email, rp.lp_phone_e164 AS phone,
                           COALESCE(rp.lp_consent_email, FALSE) AS c_email,
                           COALESCE(rp.lp_consent_sms, FALSE) AS c_sms,
                           rp.lp_preferred_channel AS pref,
                           EXISTS (SELECT 1 FROM mail_blacklist b
                                    WHERE b.active AND b.email = rp.email_normalized)
                               AS bl_email,
                           EXISTS (SELECT 1 FROM phone_blacklist b
                                    WHERE b.active AND b.number = rp.lp_phone_e164)
                               AS bl_sms
                      FROM (SELECT DISTINCT * FROM audience) a(id)
                      JOIN res_partner rp ON rp.id = a.id
                ),
                ok AS (
                    SELECT p.*,
                           c_email AND email IS NOT NULL AND NOT bl_email AS ok_email,
                           c_sms AND phone IS NOT NULL AND NOT bl_sms AS ok_sms
                      FROM p
                ),
                pick AS (
                    SELECT ok.*,
                           CASE %(rule)s
                               WHEN 'email' THEN CASE WHEN ok_email THEN 'email' END
                               WHEN 'sms' THEN CASE WHEN ok_sms THEN 'sms' END
                               ELSE CASE WHEN pref = 'sms' AND ok_sms THEN 'sms'
                                         WHEN ok_email THEN 'email'
                                         WHEN ok_sms THEN 'sms' END
                           END AS channel,
                           CASE %(rule)s
                               WHEN 'email' THEN CASE
                                   WHEN NOT c_email THEN 'no_consent'
                                   WHEN email IS NULL THEN 'no_address'
                                   ELSE 'blacklisted' END
                               WHEN 'sms' THEN CASE
                                   WHEN NOT c_sms THEN 'no_consent'
                                   WHEN phone IS NULL THEN 'no_address'
                                   ELSE 'blacklisted' END
                               ELSE CASE
                                   WHEN NOT c_email AND NOT c_sms THEN 'no_consent'
                                   WHEN (c_email AND email IS NOT NULL AND bl_email)
                                     OR (c_sms AND phone IS NOT NULL AND bl_sms)
                                       THEN 'blacklisted'
                                   ELSE 'no_address' END
                           END AS no_channel_reason
                      FROM ok
                ),
                split AS (
                    SELECT pick.*,
                           CASE WHEN pick.channel IS NULL THEN pick.no_channel_reason
                           END AS reason,
                           ('x' || substr(md5(%(seed)s || ':' || pick.partner_id), 1, 8)
                           )::bit(32)::bigint %% 10000 < %(control)s AS held_out
                      FROM pick
                ),
                expiring AS (
                    SELECT l.member_id, SUM(l.remaining) AS points,
                           MIN(l.expiry_date) AS first_date
                      FROM lp_ledger l
                     WHERE l.program_id = %(program)s AND l.remaining > 0
                       AND NOT l.held AND l.expiry_date >= %(today)s
                       AND l.expiry_date <= %(expiring_until)s
                     GROUP BY l.member_id
                ),
                cards AS (
                    SELECT DISTINCT ON (c.member_id) c.member_id,
                           right(c.number, 4) AS ending
                      FROM lp_card c
                     WHERE c.program_id = %(program)s AND c.state = 'active'
                     ORDER BY c.member_id, c.id DESC
                ),
                zones AS (
                    SELECT * FROM unnest(%(zones)s::varchar[], %(moments)s::timestamp[])
                        AS z(tz, moment)
                )
                INSERT INTO lp_campaign_recipient (
                    %(owner_columns)s, partner_id, company_id, member_id, state,
                    reason, is_control, "group", channel, email, phone, lang, tz,
                    balance, tier_id, expiring_points, expiring_date, card_ending,
                    gift_points, gift_lifetime_days, gift_key, sms_parts,
                    bought, response_orders, response_revenue, scheduled_date,
                    create_date, write_date)
                SELECT %(owner_values)s, s.partner_id, %(company)s, m.id,
                       CASE WHEN s.reason IS NOT NULL THEN 'skipped'
                            WHEN s.held_out THEN 'control' ELSE 'target' END,
                       s.reason, s.reason IS NULL AND s.held_out,
                       CASE WHEN s.reason IS NOT NULL THEN 'none'
                            WHEN s.held_out THEN 'control' ELSE 'target' END,
                       s.channel, s.email, s.phone, s.lang, s.tz,
                       COALESCE(m.balance, 0), m.tier_id,
                       COALESCE(e.points, 0), e.first_date, k.ending,
                       CASE WHEN s.reason IS NULL AND NOT s.held_out
                             AND m.state = 'active' THEN %(gift)s ELSE 0 END,
                       %(gift_days)s, %(gift_key)s, 0, 0, 0, 0,
                       CASE WHEN s.reason IS NULL
                            THEN COALESCE(z.moment, %(default_moment)s) END,
                       %(now)s, %(now)s
                  FROM split s
                  LEFT JOIN zones z ON z.tz = s.tz
                  LEFT JOIN lp_member m ON m.partner_id = s.partner_id
                       AND m.program_id = %(program)s AND m.state <> 'closed'
                  LEFT JOIN expiring e ON e.member_id = m.id
                  LEFT JOIN cards k ON k.member_id = m.id
                """,
                audience=spec["audience"],
                tz=default_tz,
                zones=list(moments),
                moments=list(moments.values()),
                default_moment=moments["UTC"],
                rule=spec.get("channel", "auto"),
                seed=str(spec.get("seed", "")),
                control=round(spec.get("control_percent", 0.0) * 100),
                program=program.id if program else None,
                today=spec["day"],
                expiring_until=spec["day"] + timedelta(days=EXPIRING_DAYS),
                owner_columns=SQL(", ").join(SQL.identifier(c) for c in columns),
                owner_values=SQL(", ").join(SQL("%s", owner[c]) for c in columns),
                company=spec["company"].id,
                gift=spec.get("gift_points") or 0.0,
                gift_days=spec.get("gift_lifetime_days") or 0,
                gift_key=spec.get("gift_key"),
                now=now,
            )
        )

    @api.model
    def _send_moments(self, day, config, not_before=None):
        """{time zone: UTC send moment} for every zone: the start of the
        config's window on ``day`` in that zone (or ``not_before`` when that
        is inside the window, or the next day's start when it is over).
        About 600 zones, computed in a few milliseconds, so that the rows
        get their moment in the INSERT itself."""
        return daytime.buckets(
            [*pytz.all_timezones, "UTC", config.tz or "UTC"],
            day,
            config.hour_from,
            config.hour_to,
            not_before=not_before,
        )

    @api.model
    def _summary(self, owner):
        """Counts of the owner's rows: {(state, reason, channel): count}."""
        self.env.cr.execute(
            SQL(
                """
                SELECT state, reason, channel, COUNT(*), SUM(sms_parts)
                  FROM lp_campaign_recipient r WHERE %s
                 GROUP BY 1, 2, 3
                """,
                self._owner_sql(owner),
            )
        )
        return {
            (state, reason, channel): (count, parts)
            for state, reason, channel, count, parts in self.env.cr.fetchall()
        }
