from . import portal
from . import join
from . import bot
