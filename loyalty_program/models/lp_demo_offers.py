from datetime import datetime, time, timedelta

from odoo import fields, models


class LpDemo(models.AbstractModel):
    """Offers in the demo year, through the real paths: the nightly
    generators run twice a month as of that night (personal offers made,
    the old ones expired), a general offer (x2 points on a few products
    for every member) runs for two weeks four months ago, and the till's
    orders use whatever offers their customers hold: a customer told of a
    product offer buys it on a visit about one time in eight (the control
    group has no such nudge, which is what the results measure). The
    generators' offers are set as a small shop would: the pairs from 3
    baskets, the favourite category's double points once per offer. At the
    end the job runs as of today (current offers, results). Demo data
    only."""

    _inherit = "lp.demo"  # pylint: disable=consider-merging-classes-inherited

    # How often a customer told of a product offer buys it on a visit.
    RESPONSE = 0.12

    def _demo_new_day(self, state, day):
        result = super()._demo_new_day(state, day)
        self._demo_offer_settings(state)
        night = datetime.combine(day, time(1))
        offer = self._demo_general_offer(state)
        if offer and day == offer.date_from:
            offer.write({"state": "running"})
            offer._lp_fill_audience(now=night)
        if day.day in (1, 15) and state["orders"]:
            self.env["lp.offer"]._lp_run_all(today=day, now=night)
        return result

    def _demo_offer_settings(self, state):
        """A small shop's settings, once: pairs from fewer baskets, the
        favourite category's double points used once per offer."""
        if state.get("offer_settings"):
            return
        state["offer_settings"] = True
        program = state["program"]
        program.write({"offer_min_baskets": 3})
        program.offer_ids.filtered(lambda o: o.generator == "favourite").write(
            {"uses_per_customer": 1}
        )

    def _demo_basket(self, state, target, partner=None, when=None):
        basket = super()._demo_basket(state, target, partner, when)
        member = partner and state["members"].get(partner.id)
        if not member or member.state != "active":
            return basket
        # The nightly job writes the hint in SQL.
        member.invalidate_recordset(["offer_until"])
        if not member._lp_may_have_offers(when):
            return basket
        offered = [
            offer["product_id"]
            for offer in member._lp_offers_values(now=when)
            if offer["product_id"]
        ]
        bought = {product.id for product, _qty in basket}
        for product_id in offered:
            if product_id not in bought and state["rng"].random() < self.RESPONSE:
                basket.append((self.env["product.product"].browse(product_id), 1))
        return basket

    def _demo_general_offer(self, state):
        """The demo's general offer, made (draft) the first time."""
        if "offer" not in state:
            today = fields.Date.today()
            # The category the shop sells most of: most baskets get some.
            categories = state["products"].categ_id
            category = max(
                categories,
                key=lambda c: len(
                    state["products"].filtered(lambda p: p.categ_id == c)
                ),
                default=categories,
            )
            state["offer"] = self.env["lp.offer"].create(
                {
                    "name": self.env._("Double points fortnight"),
                    "program_id": state["program"].id,
                    "audience": "everyone",
                    "reward_type": "multiply",
                    "reward_value": 2.0,
                    "categ_ids": [fields.Command.set(category.ids)],
                    "uses_per_customer": 2,
                    "date_from": today - timedelta(days=120),
                    "date_to": today - timedelta(days=106),
                    "lifetime_days": 0,
                }
            )
        return state["offer"]

    def _demo_finish(self, state, story, partners):
        result = super()._demo_finish(state, story, partners)
        self.env["lp.offer"]._cron_nightly()
        return result
