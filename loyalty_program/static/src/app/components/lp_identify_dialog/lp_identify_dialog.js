import { Component, onMounted, useRef, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import { LpError } from "@loyalty_program/app/services/pos_store";

/** Find a member by a card number or a phone typed by the cashier. */
export class LpIdentifyDialog extends Component {
    static template = "loyalty_program.LpIdentifyDialog";
    static components = { Dialog };
    static props = { close: Function, onEnrol: Function };

    setup() {
        this.pos = usePos();
        this.state = useState({ code: "", error: "", busy: false });
        this.inputRef = useRef("input");
        onMounted(() => this.inputRef.el?.focus());
    }

    async find() {
        if (!this.state.code.trim() || this.state.busy) {
            return;
        }
        this.state.busy = true;
        this.state.error = "";
        try {
            await this.pos.lpIdentify(this.state.code);
            this.props.close();
        } catch (error) {
            if (!(error instanceof LpError)) {
                throw error;
            }
            this.state.error = error.message;
        } finally {
            this.state.busy = false;
        }
    }

    enrol() {
        this.props.close();
        this.props.onEnrol();
    }

    onKeydown(ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            this.find();
        }
    }
}
