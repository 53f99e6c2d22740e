import { Component } from "@odoo/owl";
import { usePos } from "@point_of_sale/app/hooks/pos_hook";
import { useService } from "@web/core/utils/hooks";
import { formatDate } from "@web/core/l10n/dates";
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

    /** The spend dialog opens without a request; the reservation is checked on the server. */
    openSpend() {
        if (this.pos.data.network.offline) {
            this.notification.add(this.pos.lpOfflineSpendMessage(), { type: "danger" });
            return;
        }
        this.dialog.add(LpSpendDialog, { limit: this.pos.lpSpendLimit(this.props.order) });
    }

    async removePoints() {
        await this.pos.lpRemovePoints(this.props.order);
    }
}
