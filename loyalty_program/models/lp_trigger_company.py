from odoo import api, models

from .lp_trigger import KINDS


class LpTrigger(models.Model):
    """Every company has its triggers: the ready ones shipped for the main
    company (``data/lp_trigger_data.xml``, texts in every language) are
    copied, switched off, for each company that has none of a kind, when
    the company is created and at each install or update of the addon."""

    _inherit = "lp.trigger"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _lp_ready_templates(self):
        """{kind: the shipped trigger of that kind}. Meant to be overridden
        (triggers of another addon)."""
        templates = {}
        for kind, _label in KINDS:
            template = self.env.ref(
                f"loyalty_program.trigger_{kind}", raise_if_not_found=False
            )
            if template:
                templates[kind] = template.sudo()
        return templates

    @api.model
    def _lp_ensure_company_triggers(self, companies=None):
        """Give each of ``companies`` (default: all) a copy, switched off,
        of every shipped trigger whose kind it has none of. Returns the
        triggers created."""
        companies = companies or self.env["res.company"].sudo().search([])
        templates = self._lp_ready_templates()
        existing = {
            (trigger.company_id.id, trigger.kind)
            for trigger in self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids)])
        }
        created = self.browse()
        for company in companies:
            for kind, template in templates.items():
                if (company.id, kind) in existing:
                    continue
                # the name kept in every language: not in the defaults
                created |= template.with_context(lp_ready_trigger=True).copy(
                    {"company_id": company.id, "program_id": False, "enabled": False}
                )
        return created
