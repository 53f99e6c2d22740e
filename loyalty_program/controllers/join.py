from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import format_date

from .params import all_text, json_refusal, not_text_message

LOGIN_URL = "/web/login?redirect=/my/loyalty"
FORM_FIELDS = ("phone", "name", "birthday", "email", "consent_email", "consent_sms")


class LoyaltyJoin(http.Controller):
    """The public join page (/loyalty/join): a phone confirmed by a code
    sent by SMS, then a member with a virtual card and the welcome bonus,
    spendable at once on the purchase in hand."""

    def _lp_join_values(self, **values):
        env = request.env
        program = env["lp.program"]._lp_join_program()
        Member = env["lp.member"]
        gift = program.program_type == "bonus" and program.welcome_points
        form = {key: values.get(key) or "" for key in FORM_FIELDS}
        user = env.user
        if not user._is_public():
            # A signed-in customer joins as herself: her contact's details.
            partner = user.partner_id
            form["name"] = form["name"] or partner.name
            form["phone"] = form["phone"] or partner.phone or ""
            form["email"] = form["email"] or partner.email or ""
        return {
            "program": program,
            "title": env._("Join %(program)s", program=program.name),
            "gift_text": gift
            and env._(
                "Get %(points)s points as a gift, to spend on your purchase right now.",
                points=Member._lp_format_points(gift),
            ),
            "form": form,
            "code_sent": bool(values.get("code_sent")),
            "error": values.get("error"),
            "login_url": LOGIN_URL,
        }

    @http.route(
        "/loyalty/join", type="http", auth="public", website=True, sitemap=False
    )
    def loyalty_join(self, **kwargs):
        user = request.env.user
        Member = request.env["lp.member"].sudo()
        if not user._is_public() and Member.search_count(
            [*Member._lp_own_domain(user.partner_id), ("state", "!=", "closed")],
            limit=1,
        ):
            return request.redirect("/my/loyalty")
        return request.render("loyalty_program.portal_join", self._lp_join_values())

    @http.route(
        "/loyalty/join/code",
        type="jsonrpc",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def loyalty_join_code(self, phone=None):
        """Send the one-time code to ``phone``. Answers ``status``: sent
        (with the normalised phone and the seconds before a resend), member
        (already a member: sign in) or error (with a message). A phone that
        is missing, empty or not text is refused with a 400."""
        env = request.env
        if not isinstance(phone, str) or not phone.strip():
            json_refusal(
                env._("Enter your mobile phone, as text (e.g. +7 912 345 67 89).")
            )
        Request = env["lp.join.request"]
        program = env["lp.program"]._lp_join_program()
        try:
            join = Request._lp_send_code(
                phone, request.httprequest.remote_addr, program
            )
        except (UserError, ValidationError) as error:
            return {"status": "error", "message": str(error)}
        if join.state == "member":
            return {
                "status": "member",
                "message": env._(
                    "%(phone)s is already a member of %(program)s: sign in to see "
                    "your card and points.",
                    phone=join.phone,
                    program=program.name,
                ),
                "login_url": LOGIN_URL,
            }
        request.session["lp_join_token"] = join.token
        return {
            "status": "sent",
            "phone": join.phone,
            "resend_seconds": Request._lp_limits()["resend_seconds"],
            "message": env._("We sent a code by SMS to %(phone)s.", phone=join.phone),
        }

    @http.route(
        "/loyalty/join/submit",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        sitemap=False,
    )
    def loyalty_join_submit(self, code=None, **post):
        """The form, once the phone is confirmed. Every refusal renders the
        form again with its message and a 400."""
        env = request.env
        join = env["lp.join.request"]._lp_from_token(
            request.session.get("lp_join_token")
        )
        form = {key: val for key, val in post.items() if isinstance(val, str)}

        def again(error, code_sent=True):
            values = self._lp_join_values(**form, error=error, code_sent=code_sent)
            return request.render("loyalty_program.portal_join", values, status=400)

        if not all_text({**post, "code": code or ""}):
            return again(not_text_message(env), code_sent=bool(join))
        if not join:
            return again(env._("Ask for a code first."), code_sent=False)
        if not (code or "").strip():
            return again(env._("Enter the code we sent you by SMS."))
        if not join._lp_check_code(code):
            return again(
                join._lp_refusal(), code_sent=join.state in ("sent", "verified")
            )
        values = {
            "name": post.get("name"),
            "birthday": post.get("birthday") or False,
            "email": post.get("email"),
            "consent_email": bool(post.get("consent_email")),
            "consent_sms": bool(post.get("consent_sms")),
        }
        user = env.user
        try:
            with env.cr.savepoint():
                member = join._lp_join(
                    values, partner=None if user._is_public() else user.partner_id
                )
        except (UserError, ValidationError) as error:
            return again(str(error))
        request.session.pop("lp_join_token", None)
        request.session["lp_joined_member"] = member.id
        return request.redirect("/loyalty/join/welcome")

    @http.route(
        "/loyalty/join/welcome",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def loyalty_join_welcome(self, **kwargs):
        member = (
            request.env["lp.member"]
            .sudo()
            .browse(request.session.get("lp_joined_member") or [])
            .exists()
        )
        if not member:
            return request.redirect("/loyalty/join")
        env = request.env
        gifts = [
            {
                "text": env._(
                    "%(points)s points are yours: spend them on this purchase, "
                    "right now.",
                    points=member._lp_format_points(entry.amount),
                ),
                "valid_text": entry.expiry_date
                and env._(
                    "Valid until %(date)s.", date=format_date(env, entry.expiry_date)
                ),
            }
            for entry in member.ledger_ids.filtered(lambda e: e.amount > 0)
        ]
        return request.render(
            "loyalty_program.portal_join_welcome",
            {
                "member": member,
                "title": env._("Welcome, %(name)s!", name=member.partner_id.name),
                "subtitle": env._(
                    "You are a member of %(program)s.", program=member.program_id.name
                ),
                "barcode": member._lp_portal_barcode(),
                "gifts": gifts,
                # A signed-in customer is in her account already.
                "signup_url": env.user._is_public() and member._lp_portal_signup_url(),
            },
        )
