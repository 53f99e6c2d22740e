import base64
import csv
import io

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import card_number

MAX_CARDS = 100_000


class LpCardBatch(models.Model):
    """A numbered batch of plastic cards ordered from the printing house."""

    _name = "lp.card.batch"
    _description = "Loyalty Card Batch"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(
        required=True, copy=False, default=lambda self: self.env._("New")
    )
    program_id = fields.Many2one("lp.program", required=True, ondelete="restrict")
    company_id = fields.Many2one(related="program_id.company_id", store=True)
    card_ids = fields.One2many("lp.card", "batch_id", readonly=True)
    card_count = fields.Integer(compute="_compute_card_count", store=True)
    first_number = fields.Char(readonly=True)
    last_number = fields.Char(readonly=True)
    export_file = fields.Binary(readonly=True, attachment=True)
    export_filename = fields.Char(readonly=True)

    @api.depends("card_ids")
    def _compute_card_count(self):
        for batch in self:
            batch.card_count = len(batch.card_ids)

    @api.model
    def _generate(self, program, count):
        """Create a batch of ``count`` issued physical cards with consecutive
        serials, and its CSV for the printing house. The cards are inserted
        in one statement: no chatter message, follower or tracking value per
        card (the batch itself carries the history)."""
        if count <= 0 or count > MAX_CARDS:
            raise UserError(self.env._("A batch holds 1 to 100,000 cards."))
        self.check_access("create")
        self.env["lp.card"].check_access("create")
        program.check_access("read")
        serials = program._next_card_serials(count)
        numbers = [
            card_number.make_number(program.card_prefix, s, program.card_length)
            for s in serials
        ]
        name = self.env["ir.sequence"].next_by_code("lp.card.batch") or "/"
        batch = self.create(
            {
                "name": name,
                "program_id": program.id,
                "first_number": numbers[0],
                "last_number": numbers[-1],
            }
        )
        batch._insert_cards(numbers)
        batch._export_csv()
        return batch

    def _insert_cards(self, numbers):
        """Insert issued physical cards with the given (valid) numbers into
        this batch, set-based, then let the ORM know."""
        self.ensure_one()
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO lp_card (number, program_id, company_id, batch_id,
                            card_type, state, create_uid, create_date,
                            write_uid, write_date)
                SELECT n, %(program)s, %(company)s, %(batch)s, 'physical',
                       'issued', %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(numbers)s::varchar[]) AS n
                """,
                numbers=numbers,
                program=self.program_id.id,
                company=self.program_id.company_id.id,
                batch=self.id,
                uid=self.env.uid,
                now=now,
            )
        )
        self.env["lp.card"].invalidate_model()
        self.invalidate_recordset(["card_ids"])
        self.modified(["card_ids"])

    def _export_csv(self):
        """CSV for the printing house: number, barcode text, barcode type
        (read by SQL: a batch may hold 100,000 cards)."""
        for batch in self:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(["number", "barcode", "symbology", "program"])
            symbology = "EAN13" if batch.program_id.card_length == 13 else "CODE128"
            self.env["lp.card"].flush_model(["number", "batch_id"])
            self.env.cr.execute(
                "SELECT number FROM lp_card WHERE batch_id = %s ORDER BY number",
                [batch.id],
            )
            program = batch.program_id.name
            writer.writerows(
                [number, number, symbology, program]
                for (number,) in self.env.cr.fetchall()
            )
            batch.write(
                {
                    "export_file": base64.b64encode(buffer.getvalue().encode()),
                    "export_filename": f"{batch.name.replace('/', '-')}.csv",
                }
            )

    def action_download(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/lp.card.batch/{self.id}/export_file/"
            f"{self.export_filename}?download=true",
            "target": "self",
        }
