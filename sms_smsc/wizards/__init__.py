from . import sms_smsc_test
