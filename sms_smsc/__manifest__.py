{
    "name": "SMS through SMSC.ru",
    "summary": "Send every SMS of Odoo through the Russian gateway SMSC.ru: "
    "registered sender name, delivery reports and the price it bills.",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/loyalty-program/loyalty_program",
    "author": "loyalty_program developers",
    "maintainers": [],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["sms_twilio"],
    "data": [
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/res_config_settings_views.xml",
        "wizards/sms_smsc_test_views.xml",
    ],
    "installable": True,
}
