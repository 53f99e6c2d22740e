"""The SQL of the benchmark generator (``_generate.generate_core``), one
statement per step, with its ``%(name)s`` parameters."""

MEMBERS_PLAN = """
CREATE TEMP TABLE lpb_m ON COMMIT DROP AS
SELECT g, %(p0)s + g AS partner_id, %(m0)s + g AS member_id,
       380 + floor(random() * 350)::int AS join_days
  FROM generate_series(1, %(n)s) AS g
"""

PARTNERS = """
INSERT INTO res_partner (
    id, name, complete_name, type, active, is_company,
    commercial_partner_id, lang, partner_share, customer_rank,
    supplier_rank, color, autopost_bills, country_id, phone,
    phone_sanitized, lp_phone_e164, lp_birthday, lp_birthday_month,
    lp_birthday_day, ref,
    create_uid, create_date, write_uid, write_date)
SELECT partner_id, name, name, 'contact', TRUE, FALSE,
       partner_id, 'en_US', TRUE, 1, 0, 0, 'ask', %(country)s,
       '+7 9' || substr(num, 1, 2) || ' ' || substr(num, 3, 3)
           || '-' || substr(num, 6, 2) || '-' || substr(num, 8, 2),
       '+79' || num, '+79' || num, birthday,
       extract(month FROM birthday), extract(day FROM birthday),
       'LPB' || partner_id,
       %(uid)s, created, %(uid)s, created
  FROM (
    SELECT partner_id, lpad(partner_id::text, 9, '0') AS num,
           (%(first_names)s::text[])[1 + g %% 20] || ' '
               || (%(last_names)s::text[])[1 + (g / 20) %% 20]
               || ' ' || g AS name,
           DATE '1950-01-01' + floor(random() * 20000)::int AS birthday,
           %(now)s - make_interval(days => join_days) AS created
      FROM lpb_m
  ) AS p
"""

CREDITS_PLAN = """
CREATE TEMP TABLE lpb_c ON COMMIT DROP AS
WITH slots AS (
    SELECT m.member_id, m.partner_id, m.join_days, s.slot,
           CASE WHEN s.slot = 0 THEN 'welcome'
                WHEN s.slot <= %(earns)s THEN 'earn'
                ELSE 'gift' END AS kind,
           random() AS r1, random() AS r2, random() AS r3,
           random() AS r4, random() AS r5
      FROM lpb_m m
     CROSS JOIN generate_series(0, %(earns)s + 1) AS s(slot)
), dated AS (
    SELECT s.*,
           %(now)s - make_interval(secs => 86400 * CASE
               WHEN slot = 0 THEN join_days + 0.5 * r1
               WHEN slot = 1 THEN join_days - 5 - 0.5 * r1
               WHEN kind = 'earn' THEN (join_days - 30)
                   * (1 - (slot - 2 + r1) / (%(earns)s - 1))
               ELSE %(backlog)s + 1 + 60 * r1 END) AS date,
           CASE WHEN kind = 'earn'
                THEN round((200 + 4800 * r3)::numeric, 2)
                ELSE 0 END AS base_amount
      FROM slots s
), valued AS (
    SELECT d.*,
           CASE kind WHEN 'welcome' THEN %(welcome)s
                     WHEN 'earn' THEN floor(base_amount * %(rate)s / 100)
                     ELSE 50 END::numeric AS amount,
           CASE WHEN kind = 'earn'
                THEN date + make_interval(days => %(hold)s)
                ELSE date END AS available_from
      FROM dated d
), expiring AS (
    SELECT v.*,
           available_from > %(now)s AS held,
           CASE kind
               WHEN 'welcome' THEN (date
                   + make_interval(days => %(welcome_days)s))::date
               WHEN 'earn' THEN (available_from
                   + make_interval(days => %(lifetime)s))::date
               WHEN 'gift' THEN CASE WHEN r4 < %(gift_due)s
                   THEN %(today)s::date - 1 - floor(%(backlog)s * r3)::int
                   ELSE %(today)s::date + 1 + floor(180 * r3)::int END
           END AS expiry_date
      FROM valued v
), spent AS (
    SELECT e.*,
           CASE WHEN held OR kind = 'gift' THEN 0
                WHEN kind = 'welcome' AND r4 < 0.7 THEN amount
                WHEN kind = 'earn' AND r4 < 0.6
                THEN greatest(1, floor(amount * (0.3 + 0.7 * r5)))
                ELSE 0 END AS spent,
           available_from + (least(expiry_date::timestamp, %(now)s)
               - available_from) * r2 AS spend_date
      FROM expiring e
)
SELECT member_id, partner_id, slot, kind, amount, base_amount, date,
       available_from, held, expiry_date, spent, spend_date,
       amount - spent AS leftover,
       amount - spent > 0 AND NOT held
           AND expiry_date < %(today)s::date - %(backlog)s AS expired
  FROM spent
"""

ENTRIES_PLAN = """
CREATE TEMP TABLE lpb_e ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY date, member_id, slot, etype) AS n, *
  FROM (
    SELECT member_id, partner_id, slot, 0 AS etype, kind, amount,
           base_amount, date, available_from, held, expiry_date,
           CASE WHEN expired THEN 0 ELSE leftover END AS remaining
      FROM lpb_c
     UNION ALL
    SELECT member_id, partner_id, slot, 1, 'spend', -spent, 0,
           spend_date, NULL, FALSE, NULL, 0
      FROM lpb_c WHERE spent > 0
     UNION ALL
    SELECT member_id, partner_id, slot, 2, 'expire', -leftover, 0,
           expiry_date + time '02:00', NULL, FALSE, NULL, 0
      FROM lpb_c WHERE expired
  ) AS e
"""

MEMBERS = """
INSERT INTO lp_member (
    id, partner_id, program_id, company_id, state, join_date,
    enrol_source, tier_id, balance, pending, window_spend,
    create_uid, create_date, write_uid, write_date)
SELECT m.member_id, m.partner_id, %(program)s, %(company)s, 'active',
       (%(now)s - make_interval(days => m.join_days))::date, 'pos',
       (SELECT t.id FROM lp_tier t
         WHERE t.program_id = %(program)s
           AND t.threshold <= c.window_spend
         ORDER BY t.threshold DESC LIMIT 1),
       c.balance, c.pending, c.window_spend,
       %(uid)s, %(now)s - make_interval(days => m.join_days),
       %(uid)s, %(now)s
  FROM lpb_m m
  JOIN (
    SELECT member_id,
           COALESCE(SUM(CASE WHEN expired THEN 0 ELSE leftover END)
                    FILTER (WHERE NOT held), 0) AS balance,
           COALESCE(SUM(leftover) FILTER (WHERE held), 0) AS pending,
           COALESCE(SUM(base_amount) FILTER (WHERE date >= %(now)s
               - make_interval(days => %(lag)s + %(window)s)), 0)
               AS window_spend
      FROM lpb_c GROUP BY member_id
  ) AS c ON c.member_id = m.member_id
"""

TIER_HISTORY = """
INSERT INTO lp_tier_history (
    member_id, old_tier_id, new_tier_id, reason, window_spend, date,
    create_uid, create_date, write_uid, write_date)
SELECT id, NULL, %(base_tier)s, 'initial', 0, create_date,
       %(uid)s, create_date, %(uid)s, create_date
  FROM lp_member WHERE id > %(m0)s AND id <= %(m0)s + %(n)s
 UNION ALL
SELECT id, %(base_tier)s, tier_id, 'upgrade', window_spend,
       %(now)s - make_interval(days => %(lag)s),
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM lp_member WHERE id > %(m0)s AND id <= %(m0)s + %(n)s
   AND tier_id <> %(base_tier)s
"""

CARDS = """
INSERT INTO lp_card (
    number, program_id, company_id, member_id, partner_id,
    card_type, state, activation_date,
    create_uid, create_date, write_uid, write_date)
SELECT u.number, %(program)s, %(company)s, m.member_id, m.partner_id,
       'physical', 'active',
       (%(now)s - make_interval(days => m.join_days))::date,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM unnest(%(numbers)s::text[]) WITH ORDINALITY AS u(number, g)
  JOIN lpb_m m ON m.g = u.g
"""

ENTRIES = """
INSERT INTO lp_ledger (
    id, member_id, program_id, partner_id, company_id, kind, amount,
    shortfall, base_amount, date, available_from, expiry_date, held,
    remaining, res_model, res_id, source_key, reason, user_id,
    create_uid, create_date, write_uid, write_date)
SELECT %(l0)s + e.n, e.member_id, %(program)s, e.partner_id,
       %(company)s, e.kind, e.amount, 0, e.base_amount, e.date,
       e.available_from, e.expiry_date, e.held, e.remaining,
       CASE WHEN e.etype = 2 THEN 'lp.ledger' END,
       CASE WHEN e.etype = 2 THEN %(l0)s + c.n END,
       CASE WHEN e.etype = 2 THEN 'expire:' || (%(l0)s + c.n)
            WHEN e.kind = 'welcome' THEN 'welcome:' || e.member_id
            ELSE 'bench:' || (%(l0)s + e.n) END,
       CASE WHEN e.kind = 'gift' THEN 'Benchmark gift' END,
       %(uid)s, %(uid)s, e.date, %(uid)s, e.date
  FROM lpb_e e
  LEFT JOIN lpb_e c ON e.etype = 2 AND c.etype = 0
       AND c.member_id = e.member_id AND c.slot = e.slot
 ORDER BY e.n
"""

ALLOCATIONS = """
INSERT INTO lp_ledger_allocation (
    debit_id, credit_id, amount,
    create_uid, create_date, write_uid, write_date)
SELECT %(l0)s + d.n, %(l0)s + c.n, -d.amount,
       %(uid)s, d.date, %(uid)s, d.date
  FROM lpb_e d
  JOIN lpb_e c ON c.etype = 0 AND c.member_id = d.member_id
              AND c.slot = d.slot
 WHERE d.etype > 0
 ORDER BY d.n
"""

COUNTS = """
SELECT count(*) FILTER (WHERE expiry_date < %(today)s AND remaining > 0
                          AND NOT held),
       count(*) FILTER (WHERE held),
       count(*) FILTER (WHERE kind = 'spend'),
       count(*) FILTER (WHERE kind = 'expire')
  FROM lpb_e
"""
