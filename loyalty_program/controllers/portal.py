from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from .params import all_text, not_text_message

HISTORY_STEP = 20


def points_formatter(env):
    """Points in the customer's language: whole points without decimals."""
    return env["lp.member"]._lp_format_points


def loyalty_env():
    """The environment the account reads with: a portal customer's own (the
    portal rules decide what they see); for an employee, who may have no
    loyalty rights or see every member, the superuser's, always narrowed to
    the employee's own records by :func:`own_domain`."""
    env = request.env
    return env if env.user.share else env(su=True)


def own_domain():
    """The user's own memberships and their business customer's (shared by
    its people), never a colleague's: ``lp.member._lp_own_domain``, which
    the portal record rules mirror. Also the domain of their entries."""
    return request.env["lp.member"]._lp_own_domain(request.env.user.partner_id)


class LoyaltyPortal(CustomerPortal):
    """The customer's personal account: /my/loyalty."""

    def _lp_portal_members(self):
        return loyalty_env()["lp.member"].search(
            [*own_domain(), ("state", "!=", "closed")]
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if not counters:
            values["lp_home_members"] = self._lp_portal_members()
        return values

    def _lp_prepare_loyalty_values(self, page=1, **kwargs):
        """Values of the account page (meant to be extended)."""
        members = self._lp_portal_members()
        env = loyalty_env()
        Ledger = env["lp.ledger"]
        domain = [*own_domain(), ("member_id", "in", members.ids)]
        pager = portal_pager(
            url="/my/loyalty",
            total=Ledger.search_count(domain),
            page=page,
            step=HISTORY_STEP,
            url_args={},
        )
        entries = Ledger.search(domain, limit=HISTORY_STEP, offset=pager["offset"])
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "loyalty",
                "lp_accounts": [member._lp_portal_values() for member in members],
                "lp_entries": entries,
                "lp_sources": entries._lp_portal_sources(),
                "lp_kinds": dict(
                    Ledger._fields["kind"]._description_selection(request.env)
                ),
                "pager": pager,
                "lp_partner": partner,
                "lp_points": points_formatter(request.env),
                # Messages are the person's own, even on a shared membership.
                "lp_feedbacks": env["lp.feedback"].search(
                    [("partner_id", "=", partner.id)]
                ),
                "lp_feedback_kinds": request.env["lp.feedback"]
                ._fields["kind"]
                ._description_selection(request.env),
                "lp_message": kwargs.get("message"),
                "lp_error": kwargs.get("error"),
            }
        )
        return values

    @http.route(
        ["/my/loyalty", "/my/loyalty/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_loyalty(self, page=1, done=None, **kwargs):
        values = self._lp_prepare_loyalty_values(
            page=page,
            message=self._lp_message(done if isinstance(done, str) else None),
        )
        return request.render("loyalty_program.portal_my_loyalty", values)

    def _lp_message(self, done):
        env = request.env
        return {
            "consent": env._("Your choice of messages is saved."),
            "feedback": env._("Thank you: your message was sent to our loyalty team."),
        }.get(done)

    def _lp_refuse(self, error):
        """The account page again with ``error`` and a 400."""
        values = self._lp_prepare_loyalty_values(error=error)
        return request.render("loyalty_program.portal_my_loyalty", values, status=400)

    @http.route(
        "/my/loyalty/consent",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_loyalty_consent(self, **post):
        if not all_text(post):
            return self._lp_refuse(not_text_message(request.env))
        request.env.user.partner_id._lp_portal_set_consent(
            email=post.get("consent_email"), sms=post.get("consent_sms")
        )
        return request.redirect("/my/loyalty?done=consent#lp_consent")

    @http.route(
        "/my/loyalty/feedback",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_loyalty_feedback(self, kind="question", body="", **post):
        env = request.env
        if not all_text({**post, "kind": kind, "body": body}):
            return self._lp_refuse(not_text_message(env))
        kinds = dict(env["lp.feedback"]._fields["kind"].selection)
        if kind not in kinds:
            kind = "question"
        body = body.strip()
        if not body:
            return self._lp_refuse(env._("Write your message first."))
        try:
            env["lp.feedback"].sudo(not env.user.share).create(
                {"kind": kind, "body": body[:5000]}
            )
        except (UserError, ValidationError) as error:
            return self._lp_refuse(str(error))
        return request.redirect("/my/loyalty?done=feedback#lp_feedback")
