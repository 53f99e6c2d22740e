import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { rpc, RPCError } from "@web/core/network/rpc";
import { _t } from "@web/core/l10n/translation";

/**
 * The public join page: sends the one-time code to the phone (and again,
 * once the wait is over), shows what the server answers, and enables the
 * "Join" button once a code is on its way. The form itself posts as usual.
 */
export class LpJoinForm extends Interaction {
    static selector = ".o_lp_join";
    dynamicContent = {
        "input[name=phone]": {
            // Enter in the phone field asks for the code, not the form.
            "t-on-keydown": (ev) => {
                if (ev.key === "Enter") {
                    ev.preventDefault();
                    this.el.querySelector(".o_lp_send_code").click();
                }
            },
        },
        ".o_lp_send_code": {
            "t-on-click.prevent": this.locked(this.onSendCode, true),
            "t-att-disabled": () => this.wait > 0 || undefined,
        },
        ".o_lp_resend_code": {
            "t-on-click.prevent": this.locked(this.onSendCode, true),
            "t-att-disabled": () => this.wait > 0 || undefined,
            "t-out": () =>
                this.wait > 0
                    ? _t("New code in %(seconds)s s", { seconds: this.wait })
                    : _t("Send a new code"),
        },
        ".o_lp_code_step": { "t-att-class": () => ({ "d-none": !this.codeSent }) },
        ".o_lp_join_submit": { "t-att-class": () => ({ disabled: !this.codeSent }) },
        ".o_lp_join_info": {
            "t-att-class": () => ({ "d-none": !this.info }),
            "t-out": () => this.info,
        },
        ".o_lp_join_error": {
            "t-att-class": () => ({ "d-none": !this.error }),
            "t-out": () => this.error,
        },
    };

    setup() {
        this.codeSent = !this.el.querySelector(".o_lp_code_step").classList.contains("d-none");
        this.wait = 0;
        this.info = "";
        this.error = this.el.querySelector(".o_lp_join_error").textContent.trim();
    }

    async onSendCode() {
        const phone = this.el.querySelector("input[name=phone]").value.trim();
        if (!phone) {
            this.error = _t("Enter your mobile phone.");
            return;
        }
        let result;
        try {
            result = await this.waitFor(rpc("/loyalty/join/code", { phone }));
        } catch (error) {
            if (!(error instanceof RPCError)) {
                throw error;
            }
            // A refusal of the server (a 400): its message, as any other.
            result = { status: "error", message: error.data?.message || error.message };
        }
        this.error = "";
        this.info = "";
        if (result.status === "sent") {
            this.codeSent = true;
            this.info = result.message;
            this.el.querySelector("input[name=phone]").value = result.phone;
            this.startCountdown(result.resend_seconds);
            this.el.querySelector("input[name=code]").focus();
        } else if (result.status === "member") {
            this.info = result.message;
            this.el.querySelector(".o_lp_join_info").dataset.loginUrl = result.login_url;
        } else {
            this.error = result.message;
        }
    }

    startCountdown(seconds) {
        this.wait = seconds;
        const tick = () => {
            this.wait -= 1;
            if (this.wait > 0) {
                this.waitForTimeout(tick, 1000);
            }
        };
        this.waitForTimeout(tick, 1000);
    }
}

registry.category("public.interactions").add("loyalty_program.join_form", LpJoinForm);
