import { Component, onWillStart, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import { LpError } from "@loyalty_program/app/services/pos_store";

/**
 * The QR code of the program's Telegram bot, marked with this till: the
 * customer scans it, shares the phone in the chat, and gets the card (and
 * the welcome points) there, to show at once.
 */
export class LpBotDialog extends Component {
    static template = "loyalty_program.LpBotDialog";
    static components = { Dialog };
    static props = { close: Function };

    setup() {
        this.pos = usePos();
        this.state = useState({ join: null, error: "" });
        onWillStart(async () => {
            try {
                this.state.join = await this.pos.lpCall("lp_pos_bot_join", [this.pos.config.id]);
            } catch (error) {
                if (!(error instanceof LpError)) {
                    throw error;
                }
                this.state.error = error.message;
            }
        });
    }
}
