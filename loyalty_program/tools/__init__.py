"""Plain-Python cores of the addon: no ORM, unit-tested on their own."""

from . import card_number
from . import fifo
from . import tiers
from . import rfm
from . import sale_points
from . import amount_words
from . import figures
from . import sms_parts
from . import daytime
from . import placeholders
from . import tier_progress
from . import join_limits
from . import demo_story
from . import occasions
from . import transactions
from . import offers
from . import telegram
from . import bot_updates
from . import bot_queue
