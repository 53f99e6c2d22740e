from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import tiers
from .lp_ledger import POSTING, commit_progress, member_filter

BOOKKEEPING = {"balance", "pending", "window_spend", "tier_id"}


class LpMember(models.Model):
    """A customer's account in a program. The points belong to the member,
    not to a card: cards come and go, the balance stays."""

    _name = "lp.member"
    _description = "Loyalty Member"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="restrict", tracking=True
    )
    program_id = fields.Many2one(
        "lp.program", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    currency_id = fields.Many2one(related="program_id.currency_id")
    program_type = fields.Selection(related="program_id.program_type")
    state = fields.Selection(
        [
            ("active", "Active"),
            ("blocked", "Blocked"),
            ("closed", "Closed"),
        ],
        default="active",
        required=True,
        tracking=True,
        index=True,
    )
    join_date = fields.Date(default=fields.Date.context_today, required=True)
    enrol_source = fields.Selection(
        [
            ("backend", "Backend"),
            ("pos", "Point of Sale"),
            ("sale", "Sales order"),
            ("portal", "Portal"),
            ("import", "Import"),
        ],
        default="backend",
    )
    tier_id = fields.Many2one(
        "lp.tier",
        readonly=True,
        tracking=True,
        index=True,
        domain="[('program_id', '=', program_id)]",
    )
    balance = fields.Float(
        string="Available points",
        digits=(16, 2),
        readonly=True,
        help="Points the member can spend now: the sum of the ledger's available part.",
    )
    pending = fields.Float(
        string="Pending points",
        digits=(16, 2),
        readonly=True,
        help="Earned points still on hold.",
    )
    reserved = fields.Float(
        string="Reserved points",
        digits=(16, 2),
        compute="_compute_reserved",
        help="Points set aside by open orders (POS, quotations).",
    )
    balance_value = fields.Monetary(
        string="Balance value", compute="_compute_balance_value"
    )
    window_spend = fields.Monetary(
        string="Spend in tier period",
        readonly=True,
        help="Purchases over the program's tier period; decides the tier.",
    )
    next_tier_id = fields.Many2one("lp.tier", compute="_compute_next_tier")
    next_tier_missing = fields.Monetary(
        string="Spend to next tier", compute="_compute_next_tier"
    )
    expiring_points = fields.Float(
        digits=(16, 2), compute="_compute_expiring", string="Expiring within 30 days"
    )
    expiring_date = fields.Date(compute="_compute_expiring", string="First expiry")
    card_ids = fields.One2many("lp.card", "member_id", string="Cards")
    card_count = fields.Integer(compute="_compute_card_count")
    card_number = fields.Char(
        string="Card", compute="_compute_card_number", search="_search_card_number"
    )
    ledger_ids = fields.One2many("lp.ledger", "member_id")
    tier_history_ids = fields.One2many("lp.tier.history", "member_id")
    reservation_ids = fields.One2many("lp.reservation", "member_id")
    phone = fields.Char(related="partner_id.phone")
    email = fields.Char(related="partner_id.email")

    _partner_program_unique = models.Constraint(
        "UNIQUE(partner_id, program_id)",
        "A customer is a member of a program only once.",
    )
    _balance_not_negative = models.Constraint(
        "CHECK(balance >= 0 AND pending >= 0)",
        "A balance never goes below zero.",
    )

    @api.depends("partner_id", "program_id")
    def _compute_display_name(self):
        for member in self:
            member.display_name = (
                f"{member.partner_id.name or ''} ({member.program_id.name or ''})"
            )

    @api.depends("reservation_ids.state", "reservation_ids.points")
    def _compute_reserved(self):
        reserved = dict(
            self.env["lp.reservation"]._read_group(
                [("member_id", "in", self.ids), ("state", "=", "reserved")],
                ["member_id"],
                ["points:sum"],
            )
        )
        for member in self:
            member.reserved = reserved.get(member, 0.0)

    @api.depends("balance", "program_id.point_value")
    def _compute_balance_value(self):
        for member in self:
            member.balance_value = member.balance * member.program_id.point_value

    @api.depends("tier_id", "window_spend", "program_id.tier_ids")
    def _compute_next_tier(self):
        for member in self:
            higher = member.program_id.tier_ids.filtered(
                lambda t, m=member: (
                    t.threshold > (m.tier_id.threshold or 0.0)
                    and t.threshold > m.window_spend
                )
            ).sorted("threshold")[:1]
            member.next_tier_id = higher
            member.next_tier_missing = (
                higher.threshold - member.window_spend if higher else 0.0
            )

    def _compute_expiring(self):
        soon = self.env["lp.ledger"]._expiring_soon(self.ids)
        for member in self:
            points, first = soon.get(member.id, (0.0, False))
            member.expiring_points = points
            member.expiring_date = first

    def _compute_card_count(self):
        counts = dict(
            self.env["lp.card"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.card_count = counts.get(member, 0)

    @api.depends("card_ids.state", "card_ids.number")
    def _compute_card_number(self):
        for member in self:
            cards = member.card_ids.filtered(lambda c: c.state == "active")
            member.card_number = cards[:1].number or False

    def _search_card_number(self, operator, value):
        return [("card_ids.number", operator, value)]

    # CRUD

    @api.model_create_multi
    def create(self, vals_list):
        if any(BOOKKEEPING & set(vals) for vals in vals_list) and (
            self.env.context.get("lp_posting") is not POSTING
        ):
            raise UserError(self.env._("Balances are set by the ledger only."))
        members = super().create(vals_list)
        members._assign_initial_tier()
        return members

    def write(self, vals):
        if (
            BOOKKEEPING & set(vals)
            and self.env.context.get("lp_posting") is not POSTING
        ):
            raise UserError(
                self.env._(
                    "Balances and tiers follow the ledger. Use a manual "
                    "adjustment to correct points."
                )
            )
        if "program_id" in vals and any(m.ledger_ids for m in self):
            raise UserError(
                self.env._("A member with ledger entries keeps its program.")
            )
        return super().write(vals)

    # Actions

    def action_block(self):
        self.write({"state": "blocked"})
        self.card_ids.filtered(lambda c: c.state == "active").write(
            {"state": "blocked"}
        )

    def action_unblock(self):
        self.write({"state": "active"})

    def action_close(self):
        for member in self:
            if member.balance or member.pending:
                raise UserError(
                    self.env._(
                        "%(member)s still has points: adjust them to zero first.",
                        member=member.display_name,
                    )
                )
        self.write({"state": "closed"})

    def action_view_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_ledger"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"search_default_group_kind": 0}
        return action

    def action_view_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "loyalty_program.action_lp_card"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {
            "default_member_id": self.id,
            "default_program_id": self.program_id.id,
        }
        return action

    def action_open_adjust(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "lp.adjust.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_member_id": self.id},
        }

    # Posting: thin wrappers around lp.ledger._post, meant to be overridden

    def _lock_for_posting(self):
        """Lock the member rows, in id order, waiting for other postings.
        Under Odoo's REPEATABLE READ a concurrent posting that committed first
        makes this raise a serialization failure, which Odoo retries."""
        if not self.ids:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM lp_member WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
                tuple(sorted(self.ids)),
            )
        )
        self.invalidate_recordset(list(BOOKKEEPING))

    def _apply_delta(self, balance=0.0, pending=0.0, window_spend=0.0):
        self.ensure_one()
        if not (balance or pending or window_spend):
            return
        new_balance = round(self.balance + balance, 2)
        new_pending = round(self.pending + pending, 2)
        if new_balance < 0 or new_pending < 0:
            raise UserError(
                self.env._(
                    "%(member)s cannot go below zero points.",
                    member=self.display_name,
                )
            )
        # Bookkeeping only: nothing tracked changes, so skip mail tracking
        # (it reads the tracked fields and queues a precommit per member).
        self.sudo().with_context(lp_posting=POSTING, tracking_disable=True).write(
            {
                "balance": new_balance,
                "pending": new_pending,
                "window_spend": self.window_spend + window_spend,
            }
        )

    def _after_posting(self):
        """Upgrade at once when the spend crosses a threshold (downgrades wait
        for the nightly re-evaluation)."""
        for member in self:
            target = member._target_tier()
            if target and target.threshold > (member.tier_id.threshold or 0.0):
                member._set_tier(target, "upgrade")

    def _target_tier(self):
        self.ensure_one()
        levels = [tiers.Level(t.id, t.threshold) for t in self.program_id.tier_ids]
        tier_id = tiers.tier_for(levels, self.window_spend)
        return self.env["lp.tier"].browse(tier_id)

    def _assign_initial_tier(self):
        for member in self.filtered(lambda m: not m.tier_id):
            target = member._target_tier()
            if target:
                member._set_tier(target, "initial")

    def _set_tier(self, tier, reason):
        self.ensure_one()
        if tier == self.tier_id:
            return
        self.env["lp.tier.history"].sudo().create(
            {
                "member_id": self.id,
                "old_tier_id": self.tier_id.id,
                "new_tier_id": tier.id,
                "reason": reason,
                "window_spend": self.window_spend,
            }
        )
        self.sudo().with_context(lp_posting=POSTING).write({"tier_id": tier.id})

    def _earn(self, amount, source=None, source_key=None, base_amount=None, date=None):
        """Credit the points ``amount`` (company currency, already net of
        exclusions and of the points spent) earns, held for the program's hold
        period and expiring after its lifetime. ``base_amount`` (default
        ``amount``) counts toward the tier. Posts even 0 points, so that the
        purchase counts toward the tier. Returns the entry."""
        self.ensure_one()
        program = self.program_id
        points = program._points_for_amount(self, amount)
        now = date or fields.Datetime.now()
        available_from = now + timedelta(days=program.hold_days)
        expiry = (
            (available_from + timedelta(days=program.lifetime_days)).date()
            if program.lifetime_days
            else False
        )
        return self.env["lp.ledger"]._post(
            [
                {
                    "member_id": self.id,
                    "kind": "earn",
                    "amount": points,
                    "base_amount": amount if base_amount is None else base_amount,
                    "available_from": available_from,
                    "expiry_date": expiry,
                    "source": source,
                    "source_key": source_key,
                    "date": now,
                }
            ]
        )

    def _spend(
        self, points, source=None, source_key=None, reason=None, reservation_key=None
    ):
        """Debit ``points`` FIFO. Refuses (UserError) above the balance less the
        points other open orders have reserved (``reservation_key``: the
        reservation this spend consumes, not counted against it)."""
        self.ensure_one()
        if points <= 0:
            raise UserError(self.env._("Points to spend must be positive."))
        if self.state != "active":
            raise UserError(
                self.env._(
                    "%(member)s is %(state)s: points cannot be spent.",
                    member=self.display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ],
                )
            )
        return self.env["lp.ledger"]._post(
            [
                {
                    "member_id": self.id,
                    "kind": "spend",
                    "amount": -points,
                    "source": source,
                    "source_key": source_key,
                    "reason": reason,
                    "reservation_key": reservation_key,
                }
            ]
        )

    def _grant(
        self, kind, points, lifetime_days=0, source=None, source_key=None, reason=None
    ):
        """Credit a bonus (welcome, birthday, gift, campaign) spendable at once,
        expiring after ``lifetime_days`` (0: never)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return self.env["lp.ledger"]._post(
            [
                {
                    "member_id": self.id,
                    "kind": kind,
                    "amount": points,
                    "expiry_date": today + timedelta(days=lifetime_days)
                    if lifetime_days
                    else False,
                    "source": source,
                    "source_key": source_key,
                    "reason": reason,
                }
            ]
        )

    def _adjust(self, points, reason, expiry_date=False):
        """Manual correction by a loyalty manager: a reason is required and
        the adjustment is logged on the member's chatter."""
        self.ensure_one()
        if not self.env.user.has_group("loyalty_program.group_lp_manager"):
            raise AccessError(
                self.env._("Only loyalty managers can adjust points by hand.")
            )
        if not (reason or "").strip():
            raise UserError(self.env._("A manual adjustment needs a reason."))
        if not points:
            raise UserError(self.env._("An adjustment of zero points changes nothing."))
        entry = self.env["lp.ledger"]._post(
            [
                {
                    "member_id": self.id,
                    "kind": "adjustment",
                    "amount": points,
                    "expiry_date": expiry_date if points > 0 else False,
                    "reason": reason,
                    "source": self.env.user,
                }
            ]
        )
        self.message_post(
            body=self.env._(
                "Manual adjustment of %(points)s points: %(reason)s",
                points=f"{points:+g}",
                reason=reason,
            )
        )
        return entry

    def _welcome(self, source=None):
        """Credit the program's welcome bonus once per member, spendable at
        once (no hold)."""
        self.ensure_one()
        program = self.program_id
        if program.program_type != "bonus" or program.welcome_points <= 0:
            return self.env["lp.ledger"]
        return self._grant(
            "welcome",
            program.welcome_points,
            program.welcome_lifetime_days,
            source=source,
            source_key=f"welcome:{self.id}",
        )

    @api.model
    def _enrol(self, partner, program, card=None, source="backend", welcome=True):
        """Make ``partner`` a member of ``program`` (or return the existing
        membership), attach ``card`` and credit the welcome bonus."""
        member = self.search(
            [("partner_id", "=", partner.id), ("program_id", "=", program.id)], limit=1
        )
        if not member:
            member = self.create(
                {
                    "partner_id": partner.id,
                    "program_id": program.id,
                    "enrol_source": source,
                }
            )
        if card:
            card._assign(member)
        if welcome:
            member._welcome()
        return member

    # Scheduled jobs, set-based

    @api.model
    def _recompute_window_spend(self, member_ids=None, now=None):
        """Recompute every member's tier-period spend from the ledger."""
        now = now or fields.Datetime.now()
        where = member_filter(member_ids)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH spend AS (
                    SELECT l.member_id, SUM(l.base_amount) AS total
                      FROM lp_ledger l
                      JOIN lp_member m ON m.id = l.member_id
                      JOIN lp_program p ON p.id = m.program_id
                     WHERE l.base_amount <> 0
                       AND l.date >= %(now)s - make_interval(days => p.tier_window_days)
                       AND %(where)s
                     GROUP BY l.member_id
                )
                UPDATE lp_member m
                   SET window_spend = COALESCE(s.total, 0)
                  FROM lp_member m2
                  LEFT JOIN spend s ON s.member_id = m2.id
                 WHERE m.id = m2.id AND %(where)s
                   AND m.window_spend IS DISTINCT FROM COALESCE(s.total, 0)
                """,
                now=now,
                where=where,
            )
        )
        count = self.env.cr.rowcount
        self.env.invalidate_all()
        return count

    @api.model
    def _reevaluate_tiers(self, member_ids=None):
        """Move every member to the tier its spend reaches (upgrades and
        downgrades), logging the history. Returns the number of changes."""
        where = member_filter(member_ids)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH target AS (
                    SELECT m.id, m.tier_id AS old_tier, m.window_spend,
                           COALESCE(
                               (SELECT t.id FROM lp_tier t
                                 WHERE t.program_id = m.program_id
                                   AND t.threshold <= m.window_spend
                                 ORDER BY t.threshold DESC LIMIT 1),
                               (SELECT t.id FROM lp_tier t
                                 WHERE t.program_id = m.program_id
                                 ORDER BY t.threshold LIMIT 1)) AS new_tier
                      FROM lp_member m
                     WHERE m.state <> 'closed' AND %(where)s
                ), changed AS (
                    UPDATE lp_member m SET tier_id = t.new_tier
                      FROM target t
                     WHERE m.id = t.id AND t.new_tier IS NOT NULL
                       AND m.tier_id IS DISTINCT FROM t.new_tier
                 RETURNING m.id, t.old_tier, t.new_tier, t.window_spend
                )
                INSERT INTO lp_tier_history (
                    member_id, old_tier_id, new_tier_id, reason, window_spend, date,
                    create_uid, create_date, write_uid, write_date)
                SELECT c.id, c.old_tier, c.new_tier,
                       CASE WHEN c.old_tier IS NULL THEN 'initial'
                            WHEN nt.threshold > ot.threshold THEN 'upgrade'
                            ELSE 'downgrade' END,
                       c.window_spend, %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM changed c
                  JOIN lp_tier nt ON nt.id = c.new_tier
                  LEFT JOIN lp_tier ot ON ot.id = c.old_tier
                """,
                where=where,
                now=fields.Datetime.now(),
                uid=self.env.uid,
            )
        )
        count = self.env.cr.rowcount
        self.env.invalidate_all()
        return count

    @api.model
    def _cron_reevaluate_tiers(self, batch_size=100000):
        """Nightly: tier-period spend and tiers for all members, in id ranges
        committed one by one with progress."""
        self.env.cr.execute(
            "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM lp_member"
        )
        low, high = self.env.cr.fetchone()
        start = low
        while start and start <= high:
            self.env.cr.execute(
                "SELECT id FROM lp_member WHERE id >= %s AND id < %s",
                [start, start + batch_size],
            )
            ids = [r[0] for r in self.env.cr.fetchall()]
            if ids:
                self._recompute_window_spend(ids)
                self._reevaluate_tiers(ids)
            start += batch_size
            commit_progress(self.env, len(ids), remaining=max(0, high - start + 1))

    @api.model
    def _cron_birthday_bonus(self, today=None):
        """Credit the birthday bonus to active members born on this day, once
        a year (the ledger's source key makes a second run a no-op)."""
        today = today or fields.Date.context_today(self)
        members = self.search(
            [
                ("state", "=", "active"),
                ("program_id.program_type", "=", "bonus"),
                ("program_id.birthday_points", ">", 0),
                ("partner_id.lp_birthday_month", "=", today.month),
                ("partner_id.lp_birthday_day", "=", today.day),
            ]
        )
        for member in members:
            program = member.program_id
            member._grant(
                "birthday",
                program.birthday_points,
                program.birthday_lifetime_days,
                source_key=f"birthday:{today.year}",
            )
        return members

    @api.model
    def _merge_memberships(self, src_partners, dst_partner):
        """Where a source partner and ``dst_partner`` are members of the same
        program, move the source membership's ledger entries, cards and tier
        history to the destination membership (no entry is lost, balances
        are recomputed from the ledger) and delete the emptied source
        membership. Other memberships follow the partner as usual."""
        sources = self.search([("partner_id", "in", src_partners.ids)])
        for source in sources:
            target = self.search(
                [
                    ("partner_id", "=", dst_partner.id),
                    ("program_id", "=", source.program_id.id),
                ],
                limit=1,
            )
            if not target:
                continue
            (source | target)._lock_for_posting()
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE lp_ledger SET member_id = %(dst)s, partner_id = %(partner)s
                     WHERE member_id = %(src)s;
                    UPDATE lp_tier_history SET member_id = %(dst)s
                     WHERE member_id = %(src)s;
                    UPDATE lp_member t
                       SET balance = t.balance + s.balance,
                           pending = t.pending + s.pending,
                           window_spend = t.window_spend + s.window_spend
                      FROM lp_member s
                     WHERE t.id = %(dst)s AND s.id = %(src)s;
                    UPDATE lp_member SET balance = 0, pending = 0, window_spend = 0
                     WHERE id = %(src)s;
                    """,
                    dst=target.id,
                    src=source.id,
                    partner=dst_partner.id,
                )
            )
            self.env.invalidate_all()
            source.card_ids.write({"member_id": target.id})
            target.message_post(
                body=self.env._(
                    "Membership of %(partner)s merged into this one: its ledger, "
                    "cards and balance now belong here.",
                    partner=source.partner_id.display_name,
                )
            )
            source.unlink()
            target._after_posting()
