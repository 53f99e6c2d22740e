"""Plain-Python cores of the addon: no ORM, unit-tested on their own."""

from . import card_number
from . import fifo
from . import tiers
from . import rfm
from . import sale_points
from . import sms_parts
from . import daytime
from . import placeholders
from . import occasions
