import { patch } from "@web/core/utils/patch";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import { LpIdentifyDialog } from "@loyalty_program/app/components/lp_identify_dialog/lp_identify_dialog";
import { LpEnrolDialog } from "@loyalty_program/app/components/lp_enrol_dialog/lp_enrol_dialog";

patch(ControlButtons.prototype, {
    lpOpenIdentify() {
        this.dialog.add(LpIdentifyDialog, { onEnrol: () => this.lpOpenEnrol() });
    },
    lpOpenEnrol() {
        this.dialog.add(LpEnrolDialog, {});
    },
});
