from . import test_smsc_tools
from . import test_smsc_send
from . import test_smsc_status
from . import test_smsc_settings
from . import test_smsc_loyalty
from . import test_smsc_i18n
