import { patch } from "@web/core/utils/patch";
import { useService } from "@web/core/utils/hooks";
import { LpIdentifyDialog } from "@loyalty_program/app/components/lp_identify_dialog/lp_identify_dialog";
import { LpBotDialog } from "@loyalty_program/app/components/lp_bot_dialog/lp_bot_dialog";

patch(LpIdentifyDialog.prototype, {
    setup() {
        super.setup(...arguments);
        this.lpDialog = useService("dialog");
    },

    /** Not a member yet: show the bot's QR code, to join from the phone. */
    lpShowBot() {
        this.props.close();
        this.lpDialog.add(LpBotDialog, {});
    },
});
