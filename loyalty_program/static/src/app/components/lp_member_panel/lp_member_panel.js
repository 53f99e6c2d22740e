import { Component } from "@odoo/owl";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import { useService } from "@web/core/utils/hooks";
import { formatDate } from "@web/core/l10n/dates";
import { LpError } from "@loyalty_program/app/services/pos_store";
import { LpSpendDialog } from "@loyalty_program/app/components/lp_spend_dialog/lp_spend_dialog";

const { DateTime } = luxon;

/** The member of the current order: who, tier, points, and what to do with them. */
export class LpMemberPanel extends Component {
    static template = "loyalty_program.LpMemberPanel";
    static props = { order: Object };

    setup() {
        this.pos = usePos();
        this.dialog = useService("dialog");
        this.notification = useService("notification");
    }

    get member() {
        return this.props.order.lpMember;
    }

    get available() {
        const member = this.member;
        return member.balance - member.reserved;
    }

    get expiringDate() {
        const date = this.member.expiring_date;
        return date ? formatDate(DateTime.fromISO(date)) : "";
    }

    /** An offer's end (a UTC datetime from the server), as a local date. */
    formatUntil(value) {
        return formatDate(DateTime.fromISO(value, { zone: "utc" }).toLocal());
    }

    formatCurrency(amount) {
        return this.env.utils.formatCurrency(amount);
    }

    async openSpend() {
        try {
            const limit = await this.pos.lpSpendLimit(this.props.order);
            this.props.order.lpMember = limit;
            this.dialog.add(LpSpendDialog, { limit });
        } catch (error) {
            if (!(error instanceof LpError)) {
                throw error;
            }
            this.notification.add(error.message, { type: "danger" });
        }
    }

    async removePoints() {
        await this.pos.lpRemovePoints(this.props.order);
    }
}
