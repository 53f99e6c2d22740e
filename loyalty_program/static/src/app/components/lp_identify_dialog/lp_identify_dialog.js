import { Component, onMounted, useRef, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import { lpRunInDialog } from "@loyalty_program/app/services/pos_store";

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
        const found = await lpRunInDialog(this.state, () =>
            this.pos.lpIdentify(this.state.code)
        );
        if (found) {
            this.props.close();
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
