from . import lp_member_statement
from . import lp_gift_certificate
