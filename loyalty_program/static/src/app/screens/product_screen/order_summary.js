import { patch } from "@web/core/utils/patch";
import { OrderSummary } from "@point_of_sale/app/screens/product_screen/order_summary/order_summary";
import { LpMemberPanel } from "@loyalty_program/app/components/lp_member_panel/lp_member_panel";

patch(OrderSummary, {
    components: { ...OrderSummary.components, LpMemberPanel },
});
