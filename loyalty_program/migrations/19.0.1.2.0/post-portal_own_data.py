"""19.0.1.2.0: a person's membership is theirs alone, and one welcome bonus
per phone, ever.

- The portal record rules (``noupdate``) read a member's data by the person
  or their business customer, no longer by the whole business: write the
  new domains (the same as ``security/lp_portal_rules.xml``).
- ``lp.member.phone`` keeps the phones each membership had: fill it with
  the phones known today (the enrolment phone, the customer's phone), those
  of memberships that had the welcome bonus marked as paid (the first
  membership per phone, as the unique index allows).
"""

from odoo.tools import SQL

OWN = "[user.partner_id.id, user.commercial_partner_id.id]"
RULES = {
    "rule_lp_member_portal": f"[('partner_id', 'in', {OWN})]",
    "rule_lp_card_portal": f"[('member_id.partner_id', 'in', {OWN})]",
    "rule_lp_ledger_portal": f"[('partner_id', 'in', {OWN})]",
    "rule_lp_program_portal": f"[('member_ids.partner_id', 'in', {OWN})]",
    "rule_lp_tier_portal": f"[('program_id.member_ids.partner_id', 'in', {OWN})]",
    "rule_lp_consent_event_portal": "[('partner_id', '=', user.partner_id.id)]",
    "rule_lp_feedback_portal": "[('partner_id', '=', user.partner_id.id)]",
}


def migrate(cr, version):
    for name, domain in RULES.items():
        cr.execute(
            SQL(
                """
                UPDATE ir_rule SET domain_force = %s
                 WHERE id = (SELECT res_id FROM ir_model_data
                              WHERE module = 'loyalty_program' AND name = %s
                                AND model = 'ir.rule')
                """,
                domain,
                name,
            )
        )
    cr.execute(
        SQL(
            """
            WITH phones AS (
                SELECT m.id AS member_id, m.program_id, m.enrol_phone AS phone
                  FROM lp_member m WHERE m.enrol_phone IS NOT NULL
                UNION
                SELECT m.id, m.program_id, p.lp_phone_e164
                  FROM lp_member m JOIN res_partner p ON p.id = m.partner_id
                 WHERE p.lp_phone_e164 IS NOT NULL
            ), ranked AS (
                SELECT ph.*,
                       EXISTS (SELECT 1 FROM lp_ledger l
                                WHERE l.member_id = ph.member_id
                                  AND l.kind = 'welcome') AS paid
                  FROM phones ph
            )
            INSERT INTO lp_member_phone (member_id, program_id, phone, source,
                   welcome, date, create_date, write_date)
            SELECT member_id, program_id, phone, 'migration',
                   paid AND row_number() OVER (
                       PARTITION BY program_id, phone, paid ORDER BY member_id
                   ) = 1,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC',
                   now() AT TIME ZONE 'UTC'
              FROM ranked
            ON CONFLICT DO NOTHING
            """
        )
    )
