from . import lp_adjust_wizard
from . import lp_card_batch_wizard
from . import lp_card_replace_wizard
from . import lp_sale_spend_wizard
from . import lp_statement_wizard
from . import lp_member_transfer_wizard
from . import lp_card_assign_wizard
