from collections import OrderedDict

from odoo import models

from odoo.addons.base.models.ir_actions_report import _wkhtml

# The addon's documents, printed one per record when wkhtmltopdf is the
# plain-Qt build.
ONE_BY_ONE = (
    "loyalty_program.report_member_statement",
    "loyalty_program.report_gift_certificate",
)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Several statements or certificates at once with the plain-Qt
        wkhtmltopdf (Debian's package, what ``scripts/run`` installs): core
        refuses to convert several documents in one call of that build
        ("Tried to convert multiple documents ... using unpatched QT"), so
        each document is converted alone and core merges the streams."""
        report = self._get_report(report_ref)
        if (
            report.report_name in ONE_BY_ONE
            and res_ids
            and len(res_ids) > 1
            and len(set(res_ids)) == len(res_ids)
            and not _wkhtml().is_patched_qt
        ):
            streams = OrderedDict()
            for res_id in res_ids:
                streams.update(
                    super()._render_qweb_pdf_prepare_streams(
                        report_ref, dict(data or {}), res_ids=[res_id]
                    )
                )
            return streams
        return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids)
