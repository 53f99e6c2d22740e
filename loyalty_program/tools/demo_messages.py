"""The demo's messages over the year: the campaign settings, the triggers
switched on, the campaigns the shop ran, and what customers did with the
messages (plain data; :mod:`..models.lp_demo_messages` plays it).

What a delivered message becomes, from a uniform draw:

>>> [outcome(x, "mail") for x in (0.01, 0.02, 0.3, 0.6, 0.995)]
['bounce', 'open', 'open', None, 'opt_out']
>>> [outcome(x, "sms") for x in (0.01, 0.3, 0.995)]
[None, None, 'opt_out']
"""

# Campaign settings of the shop: daytime window, frequency cap, control
# group, response window, price of an SMS part.
CONFIG = {
    "hour_from": 10.0,
    "hour_to": 21.0,
    "cap_messages": 3,
    "cap_days": 7,
    "control_percent": 15.0,
    "response_days": 14,
    "sms_part_price": 0.07,
}

# The trigger job of the demo runs once a week and catches up the week
# (each trigger's "catch up" days): a year of daily runs would take the
# demo build far beyond a few minutes.
TRIGGER_EVERY_DAYS = 7

# Every trigger: switched on from the start of the year, with a control
# group (the shipped welcome and tier upgrade have none: nothing would say
# what they bring), results over the year.
TRIGGER_DEFAULTS = {
    "enabled": True,
    "catch_up_days": TRIGGER_EVERY_DAYS,
    "results_days": 365,
    "control_percent": 10.0,
    "response_days": 14,
}
# Per kind, on top of the defaults.
TRIGGERS = {
    "winback": {
        "control_percent": 20.0,
        "gift_points": 300.0,
        "gift_lifetime_days": 30,
    },
    "expiry": {"days": 14},
    # a thank-you at most once a month to the same customer
    "post_purchase": {"cap_messages": 1, "cap_days": 30},
}

# Chance that a customer of the target group comes to buy within the
# response window because of the message (the control group gets none).
ANSWERS = {
    "birthday": 0.2,
    "winback": 0.08,
    "expiry": 0.15,
    "welcome": 0.1,
    "tier_upgrade": 0.1,
    "tier_downgrade": 0.2,
    "post_purchase": 0.02,
}

EMAIL_BODY = """<p>Hello {first_name},</p><p>{body}</p>
<p>Your balance: {balance} points. Card ending {card_ending}.</p>"""

# The campaigns of the year: when (days ago), to whom (a segment), what,
# and the chance that a target customer answers with a visit. The last one
# did not pay: its customers (target and control) stay away over its
# response window, and its SMS cost money.
CAMPAIGNS = [
    {
        "name": "New collection: 300 points for our best customers",
        "days_ago": 200,
        "segment": "loyalty_program.segment_rfm_champions",
        "channel": "auto",
        "control_percent": 25.0,
        "gift_points": 300.0,
        "gift_lifetime_days": 30,
        "email_subject": "{first_name}, the new collection is in: 300 points for you",
        "email_body": EMAIL_BODY.format(
            first_name="{first_name}",
            balance="{balance}",
            card_ending="{card_ending}",
            body="The new collection has arrived. {gift_points} points are on "
            "your card for the next 30 days.",
        ),
        "sms_body": "{first_name}, new collection in store! +{gift_points} points "
        "on your card for 30 days.",
        "answer": 0.6,
    },
    {
        "name": "We miss you: 500 points to come back",
        "days_ago": 150,
        "segment": "loyalty_program.segment_rfm_sleeping",
        "channel": "auto",
        "control_percent": 20.0,
        "gift_points": 500.0,
        "gift_lifetime_days": 21,
        "email_subject": "{first_name}, we miss you: 500 points to come back",
        "email_body": EMAIL_BODY.format(
            first_name="{first_name}",
            balance="{balance}",
            card_ending="{card_ending}",
            body="We have not seen you for a while. {gift_points} points are "
            "waiting for you for three weeks.",
        ),
        "sms_body": "{first_name}, we miss you! {gift_points} points are waiting "
        "for you for 3 weeks.",
        "answer": 0.2,
    },
    {
        "name": "Monthly newsletter",
        "days_ago": 75,
        "segment": "loyalty_program.segment_rfm_active",
        "channel": "email",
        "control_percent": 15.0,
        "gift_points": 100.0,
        "gift_lifetime_days": 14,
        "email_subject": "What is new this month, {first_name}",
        "email_body": EMAIL_BODY.format(
            first_name="{first_name}",
            balance="{balance}",
            card_ending="{card_ending}",
            body="New arrivals, the season's colours, and {gift_points} points "
            "for the next two weeks: your points pay for up to 30% of any "
            "purchase.",
        ),
        "answer": 0.08,
    },
    {
        "name": "Last call for lost customers (SMS)",
        "days_ago": 30,
        "segment": "loyalty_program.segment_rfm_lost",
        "channel": "sms",
        "control_percent": 15.0,
        "gift_points": 200.0,
        "gift_lifetime_days": 14,
        "email_subject": "{first_name}, it has been a long time",
        "email_body": EMAIL_BODY.format(
            first_name="{first_name}",
            balance="{balance}",
            card_ending="{card_ending}",
            body="It has been a long time! {gift_points} points are yours for "
            "two weeks. Come and see what is new.",
        ),
        "sms_body": "{first_name}, it has been a long time! {gift_points} points "
        "are yours for two weeks. Come and see what is new.",
        "answer": 0.0,
        "stay_away": True,
    },
]

# Of the messages delivered: bounced (email), opened (email), opted out.
BOUNCED = 0.02
OPENED = 0.45
OPTED_OUT = 0.01


def outcome(draw, channel):
    """What became of a delivered message, from a uniform ``draw`` in
    [0, 1): ``bounce``, ``open``, ``opt_out`` or None (read, or not, and
    nothing more)."""
    if draw >= 1 - OPTED_OUT:
        return "opt_out"
    if channel != "mail":
        return None
    if draw < BOUNCED:
        return "bounce"
    if draw < BOUNCED + OPENED:
        return "open"
    return None
