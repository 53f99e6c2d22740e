import { Component, onMounted, useRef, useState } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import { useBarcodeReader } from "@point_of_sale/app/hooks/barcode_reader_hook";
import { lpRunInDialog } from "@loyalty_program/app/services/pos_store";

/**
 * A new member at the till: a fresh card from a printed batch (scanned or
 * typed; none gives a virtual card), phone, name, birthday, consent per
 * channel. The server validates and credits the welcome bonus at once.
 */
export class LpEnrolDialog extends Component {
    static template = "loyalty_program.LpEnrolDialog";
    static components = { Dialog };
    static props = { close: Function };

    setup() {
        this.pos = usePos();
        this.state = useState({
            card: "",
            phone: "",
            name: "",
            birthday: "",
            email: "",
            consent_sms: false,
            consent_email: false,
            error: "",
            busy: false,
        });
        this.cardRef = useRef("card");
        // While the form is open a scanned card fills the card field.
        useBarcodeReader({ lp_card: (code) => (this.state.card = code.code) }, true);
        onMounted(() => this.cardRef.el?.focus());
    }

    get canSubmit() {
        return this.state.phone.trim() && this.state.name.trim() && !this.state.busy;
    }

    async submit() {
        if (!this.canSubmit) {
            return;
        }
        const values = {
            card: this.state.card,
            phone: this.state.phone,
            name: this.state.name,
            birthday: this.state.birthday,
            email: this.state.email,
            consent_sms: this.state.consent_sms,
            consent_email: this.state.consent_email,
        };
        if (await lpRunInDialog(this.state, () => this.pos.lpEnrol(values))) {
            this.props.close();
        }
    }
}
