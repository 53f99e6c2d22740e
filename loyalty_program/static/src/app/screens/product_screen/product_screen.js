import { patch } from "@web/core/utils/patch";
import { ProductScreen } from "@point_of_sale/app/screens/product_screen/product_screen";
import { useBarcodeReader } from "@point_of_sale/app/hooks/barcode_reader_hook";
import { useService } from "@web/core/utils/hooks";
import { LpError } from "@loyalty_program/app/services/pos_store";

patch(ProductScreen.prototype, {
    setup() {
        super.setup(...arguments);
        this.lpNotification = useService("notification");
        useBarcodeReader({ lp_card: this._lpOnCardScan });
    },
    /** A code shaped like a program's cards (its prefix and length) is a card, not a product. */
    async _barcodeProductAction(code) {
        if (this.pos.lpLooksLikeCard(code.code)) {
            return this._lpOnCardScan(code);
        }
        return super._barcodeProductAction(...arguments);
    },
    /** A scanned loyalty card identifies the customer; a refused card does not stop the sale. */
    async _lpOnCardScan(code) {
        try {
            await this.pos.lpIdentify(code.code);
            this.sound.play("beep");
        } catch (error) {
            if (!(error instanceof LpError)) {
                throw error;
            }
            this.sound.play("scan-error");
            this.lpNotification.add(error.message, { type: "danger" });
        }
    },
});
