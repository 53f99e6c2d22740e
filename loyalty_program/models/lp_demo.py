import heapq
import logging
import os
import random
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import demo_story

_logger = logging.getLogger(__name__)

# Tables whose new rows are dated back to the simulated time, with the
# columns that follow (besides create_date and write_date).
BACKDATED = {
    "lp_ledger": "date",  # and the hold end and expiry, see _demo_backdate
    "lp_tier_history": "date",
    "lp_segment_size": "date",
    "lp_consent_event": "date",
    "lp_reservation": None,
    "lp_offer_use": "date",
    "lp_bot_chat": "join_date",
    "lp_bot_update": "date",
    "lp_bot_message": "not_before",
    "lp_join_request": None,
}
TABLE_MODELS = {
    "lp_ledger": "lp.ledger",
    "lp_tier_history": "lp.tier.history",
    "lp_segment_size": "lp.segment.size",
    "lp_consent_event": "lp.consent.event",
    "lp_reservation": "lp.reservation",
    "lp_offer_use": "lp.offer.use",
    "lp_bot_chat": "lp.bot.chat",
    "lp_bot_update": "lp.bot.update",
    "lp_bot_message": "lp.bot.message",
    "lp_join_request": "lp.join.request",
}
# Credits whose expiry the engine computes from the posting day (the
# birthday job computes it from the day it is given, already the story's).
DATED_CREDITS = ("earn", "welcome", "gift", "campaign", "offer")


class LpDemo(models.AbstractModel):
    """Demo data only: a year in the life of a shop running the program,
    built at demo install from :mod:`..tools.demo_story`.

    Everything goes through the real paths (enrolment, the till's
    reservation and order sync, sales order confirmation, refunds and
    cancellations, card replacement, manual adjustment, the nightly jobs),
    in the order it happened, with a simulated clock: each day the held
    points whose hold ended are released and the overdue ones expire, as of
    that day; what a step posted is then dated back to its time (entry date,
    hold end and expiry move together). At the end the nightly jobs run once
    as of today. Never called by tests or outside demo data."""

    _name = "lp.demo"
    _description = "Loyalty Program Demo Data"

    @api.model
    def _demo_generate(
        self, program_id, named=None, pos_config=None, members=200, others=40, seed=2026
    ):
        """Build the year. ``named``: [(partner id, persona)] of customers
        defined in XML; ``pos_config``: xml id of the till used. The
        environment variable ``LOYALTY_DEMO_MEMBERS`` makes a smaller (or
        larger) shop for a quick look, with a fifth as many non-members."""
        if os.environ.get("LOYALTY_DEMO_MEMBERS", "").isdigit():
            members = int(os.environ["LOYALTY_DEMO_MEMBERS"])
            others = members // 5
        env = self.with_user(self.env.ref("base.user_admin")).with_context(
            tracking_disable=True, mail_notrack=True, mail_create_nolog=True
        )
        return env._demo_run(program_id, named or [], pos_config, members, others, seed)

    def _demo_run(self, program_id, named, pos_config, members, others, seed):
        started = datetime.now()
        rng = random.Random(seed)
        program = self.env["lp.program"].browse(program_id)
        self.env["lp.stats.config"]._for_companies(program.company_id).write(
            {"lost_days": 200}
        )
        self._demo_core_orders(program.company_id)
        story = demo_story.build(rng, members, others)
        partners = self._demo_partners(story)
        for partner_id, persona in named:
            partner = self.env["res.partner"].browse(partner_id)
            story.append(self._demo_named(rng, partner, persona))
            partners |= partner
        state = {
            "rng": rng,
            "program": program,
            "config": self._demo_pos_config(pos_config),
            "products": None,
            "taxes": {},
            "personas": {p.id: c.persona for c, p in zip(story, partners, strict=True)},
            "tickets": {name: p.ticket for name, p in demo_story.PERSONAS.items()},
            "session": None,
            "marks": {},
            "members": {},
            "orders": {},
            "cards": self.env["lp.card.batch"]
            ._generate(program, sum(c.source == "pos" for c in story) + 40)
            .card_ids.sorted("number"),
        }
        state["products"] = self._demo_products(state["config"])
        self._demo_mark(state)
        state["consent_mark"] = state["marks"]["lp_consent_event"]
        state["queue"], state["seq"] = [], 0
        state["clock"] = fields.Datetime.now()
        for event in self._demo_events(story, partners):
            self._demo_push(state, *event)
        self._demo_plan(state)
        today = fields.Date.today()
        day = today - timedelta(days=demo_story.DAYS + 1)
        while state["queue"]:
            when, _order, _seq, kind, payload = heapq.heappop(state["queue"])
            while day < when.date():
                day += timedelta(days=1)
                self._demo_new_day(state, day)
            getattr(self, f"_demo_{kind}")(state, when, *payload)
            self._demo_backdate(state, when)
        while day < today:
            day += timedelta(days=1)
            self._demo_new_day(state, day)
        self._demo_close_session(state, fields.Datetime.now())
        self._demo_finish(state, story, partners)
        _logger.info(
            "Loyalty demo: %s customers, %s orders in %s",
            len(partners),
            len(state["orders"]),
            datetime.now() - started,
        )

    def _demo_push(self, state, when, order, kind, payload):
        """Add the step ``_demo_<kind>(state, when, *payload)`` to the story
        (``order`` breaks ties at the same moment); steps may add later
        steps (a customer who answers a message comes to the shop)."""
        if when < state["clock"]:
            state["seq"] += 1
            heapq.heappush(state["queue"], (when, order, state["seq"], kind, payload))

    def _demo_plan(self, state):
        """Steps besides the customers' visits, planned before the year
        starts. Meant to be extended (campaigns, offers)."""

    # The story as records

    def _demo_partners(self, story):
        """Create the customers at once (set-based)."""
        Partner = self.env["res.partner"].with_context(lp_consent_source="import")
        return Partner.create(
            [
                {
                    "name": c.name,
                    "email": c.email,
                    "phone": c.phone,
                    "lp_birthday": c.birthday or False,
                    "lp_consent_email": c.consent_email,
                    "lp_consent_sms": c.consent_sms,
                    "lp_preferred_channel": c.channel or False,
                    "customer_rank": 1,
                }
                for c in story
            ]
        )

    def _demo_named(self, rng, partner, persona):
        return demo_story.Customer(
            name=partner.name,
            email=partner.email,
            phone=partner.phone,
            birthday=partner.lp_birthday,
            consent_email=partner.lp_consent_email,
            consent_sms=partner.lp_consent_sms,
            channel=partner.lp_preferred_channel,
            persona=persona,
            member=True,
            source="pos",
            visits=(visits := demo_story._visits(rng, persona)),
            joined=visits[0].days_ago,
        )

    def _demo_events(self, story, partners):
        """(datetime, tie-break, kind, args) of every step, in time order."""
        now = datetime.combine(fields.Date.today(), time())
        clock = fields.Datetime.now()
        events = []
        for customer, partner in zip(story, partners, strict=True):
            for index, visit in enumerate(customer.visits):
                when = (
                    now
                    - timedelta(days=visit.days_ago)
                    + timedelta(hours=visit.hour, minutes=(partner.id * 7) % 60)
                )
                # Today's visits happened before now.
                when = min(when, clock - timedelta(minutes=partner.id % 300 + 5))
                if customer.member and visit.days_ago == customer.joined:
                    events.append((when, 0, "enrol", (partner, customer.source)))
                key = (partner.id, index)
                events.append((when, 1, visit.channel, (partner, key, visit.spend)))
                if visit.refund_after:
                    later = when + timedelta(days=visit.refund_after, hours=1)
                    if later < clock:
                        events.append((later, 2, "refund", (key,)))
        loyal = [
            (c, p)
            for c, p in zip(story, partners, strict=True)
            if c.member and c.persona in ("loyal", "regular") and c.source == "pos"
        ]
        if len(loyal) > 2:
            events.append(
                (now - timedelta(days=75, hours=-11), 3, "lost_card", (loyal[0][1],))
            )
            events.append(
                (now - timedelta(days=40, hours=-15), 3, "adjust", (loyal[1][1],))
            )
            events.append(
                (now - timedelta(days=20, hours=-10), 3, "block", (loyal[2][1],))
            )
        events.sort(key=lambda e: (e[0], e[1]))
        return events

    # The clock

    def _demo_new_day(self, state, day):
        """What the nightly jobs did on ``day``: release, expire, birthdays;
        on the first of a month a statistics run (so that segments have a
        size history), on the first of a quarter a new till session."""
        night = datetime.combine(day, time(1))
        self.env["lp.ledger"]._release_held(now=night)
        self.env["lp.ledger"]._expire_due(today=day)
        self.env["lp.member"]._cron_birthday_bonus(today=day)
        if day.day == 1 and state["orders"]:
            self.env["lp.customer.stats"]._run_all(today=day)
        self._demo_backdate(state, night)
        if day.day == 1 and day.month % 3 == 1:
            self._demo_close_session(state, datetime.combine(day, time(7)))

    def _demo_mark(self, state):
        self.env.flush_all()
        for table in BACKDATED:
            self.env.cr.execute(
                SQL("SELECT COALESCE(MAX(id), 0) FROM %s", SQL.identifier(table))
            )
            state["marks"][table] = self.env.cr.fetchone()[0]

    def _demo_backdate(self, state, when):
        """Date the rows posted since the last mark at ``when``: an entry's
        hold end and its engine-computed expiry move with its date."""
        self.env.flush_all()
        marks = state["marks"]
        cr = self.env.cr
        for table, column in BACKDATED.items():
            if table == "lp_ledger":
                changes = SQL(
                    """
                    available_from = available_from - (date - %(when)s),
                    expiry_date = CASE
                        WHEN kind IN %(dated)s AND expiry_date IS NOT NULL
                        THEN expiry_date - (date::date - %(when)s::date)
                        ELSE expiry_date END,
                    date = %(when)s, write_date = %(when)s
                    """,
                    when=when,
                    dated=DATED_CREDITS,
                )
            elif column:
                changes = SQL("%s = %s", SQL.identifier(column), when)
            else:
                changes = SQL("write_date = %s", when)
            cr.execute(
                SQL(
                    """
                    UPDATE %(table)s SET %(changes)s, create_date = %(when)s
                     WHERE id > %(mark)s
                 RETURNING id
                    """,
                    table=SQL.identifier(table),
                    changes=changes,
                    when=when,
                    mark=marks[table],
                )
            )
            ids = [row[0] for row in cr.fetchall()]
            if ids:
                marks[table] = max(ids)
                self.env[TABLE_MODELS[table]].invalidate_model()

    # Steps (the events)

    def _demo_lost_card(self, state, when, partner):
        member = state["members"].get(partner.id)
        card = member and member.card_ids.filtered(lambda c: c.state == "active")[:1]
        if card:
            card._replace_with(state["cards"][:1], reason="lost")
            state["cards"] = state["cards"][1:]

    def _demo_adjust(self, state, when, partner):
        member = state["members"].get(partner.id)
        if member:
            member._adjust(
                250, self.env._("Goodwill: a zip broke on a jacket bought here.")
            )

    def _demo_block(self, state, when, partner):
        member = state["members"].get(partner.id)
        if member:
            member.action_block()

    def _demo_finish(self, state, story, partners):
        """The nightly jobs once, as of today, and customers dated from
        their first purchase, with the consent they gave when they were
        recorded (the events before the story)."""
        self.env["lp.ledger"]._cron_release_and_expire()
        self.env["lp.member"]._cron_reevaluate_tiers()
        self.env["lp.member"]._cron_birthday_bonus()
        self.env["lp.customer.stats"]._cron_nightly()
        firsts = [
            (p.id, c.visits[0].days_ago)
            for c, p in zip(story, partners, strict=True)
            if c.visits
        ]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET create_date = now() - make_interval(days => v.days + 1)
                  FROM (VALUES %s) AS v(id, days)
                 WHERE p.id = v.id
                """,
                SQL(", ").join(SQL("(%s, %s)", pid, days) for pid, days in firsts),
            )
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE lp_consent_event e SET date = p.create_date
                  FROM res_partner p
                 WHERE p.id = e.partner_id AND e.id <= %s AND p.id IN %s
                """,
                state["consent_mark"],
                tuple(partners.ids),
            )
        )
        self.env["res.partner"].invalidate_model(["create_date"])
        self.env["lp.consent.event"].invalidate_model(["date"])
