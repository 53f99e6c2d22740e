from . import smsc
from . import smsc_api
