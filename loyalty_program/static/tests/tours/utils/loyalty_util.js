/* Tour steps for the loyalty panel and dialogs at the till. */

export function clickLoyalty() {
    return [
        {
            content: "open the loyalty dialog",
            trigger: ".control-buttons .lp-loyalty-button, .lp-loyalty-button",
            run: "click",
        },
    ];
}

export function identify(code) {
    return [
        ...clickLoyalty(),
        {
            content: `type ${code}`,
            trigger: ".modal .lp-identify-code",
            run: `edit ${code}`,
        },
        {
            content: "find the member",
            trigger: ".modal .lp-identify-find:enabled",
            run: "click",
        },
    ];
}

export function identifyErrorContains(text) {
    return [
        {
            content: `the loyalty dialog says "${text}"`,
            trigger: `.modal .lp-identify-error:contains("${text}")`,
        },
    ];
}

export function memberIs(name, available) {
    const steps = [
        {
            content: `the member panel shows ${name}`,
            trigger: `.lp-member-panel .lp-member-name:contains("${name}")`,
        },
    ];
    if (available !== undefined) {
        steps.push({
            content: `${available} points available`,
            trigger: `.lp-member-panel .lp-member-balance:contains("${available}")`,
        });
    }
    return steps;
}

export function noMember() {
    return [
        {
            content: "no member on the order",
            trigger: ".product-screen:not(:has(.lp-member-panel))",
        },
    ];
}

export function panelContains(selector, text) {
    return [
        {
            content: `member panel ${selector} shows ${text}`,
            trigger: `.lp-member-panel ${selector}:contains("${text}")`,
        },
    ];
}

export function openSpend() {
    return [
        {
            content: "pay with points",
            trigger: ".lp-member-panel .lp-spend-button",
            run: "click",
        },
        {
            content: "the spend dialog is open",
            trigger: ".modal .lp-spend-points",
        },
    ];
}

export function spendMaxIs(points) {
    return [
        {
            content: `at most ${points} points`,
            trigger: `.modal .lp-spend-max:contains("${points} pts")`,
        },
    ];
}

export function spend(points) {
    return [
        {
            content: `spend ${points} points`,
            trigger: ".modal .lp-spend-points",
            run: `edit ${points}`,
        },
        {
            content: "apply",
            trigger: ".modal .lp-spend-apply:enabled",
            run: "click",
        },
    ];
}

export function spendMaximum() {
    return [
        {
            content: "take the maximum",
            trigger: ".modal .lp-spend-all",
            run: "click",
        },
        {
            content: "apply",
            trigger: ".modal .lp-spend-apply:enabled",
            run: "click",
        },
    ];
}

export function spendErrorContains(text) {
    return [
        {
            content: `the spend dialog refuses: "${text}"`,
            trigger: `.modal .lp-spend-error:contains("${text}")`,
        },
    ];
}

export function closeDialog() {
    return [
        {
            content: "close the dialog",
            trigger: ".modal .modal-footer .btn-secondary:contains('Discard')",
            run: "click",
        },
    ];
}

export function orderPointsAre(points) {
    return [
        {
            content: `${points} points pay for the order`,
            trigger: `.lp-member-panel .lp-order-points:contains("${points} pts")`,
        },
    ];
}

export function notificationContains(text) {
    return [
        {
            content: `notification "${text}"`,
            trigger: `.o_notification:contains("${text}")`,
        },
    ];
}

export function receiptContains(selector, text) {
    return [
        {
            content: `receipt ${selector} shows ${text}`,
            trigger: `.pos-receipt .lp-receipt ${selector}:contains("${text}")`,
        },
    ];
}

export function enrol(values) {
    const steps = [
        ...clickLoyalty(),
        {
            content: "new member",
            trigger: ".modal .lp-identify-enrol",
            run: "click",
        },
    ];
    for (const [field, value] of Object.entries(values)) {
        steps.push(
            field === "birthday"
                ? {
                      // A date input: set its value as a date picker would.
                      content: `fill ${field}`,
                      trigger: `.modal .lp-enrol-${field}`,
                      run({ anchor }) {
                          anchor.value = value;
                          anchor.dispatchEvent(new Event("input", { bubbles: true }));
                          anchor.dispatchEvent(new Event("change", { bubbles: true }));
                      },
                  }
                : value === true
                ? {
                      content: `tick ${field}`,
                      trigger: `.modal .lp-enrol-${field}`,
                      run: "click",
                  }
                : {
                      content: `fill ${field}`,
                      trigger: `.modal .lp-enrol-${field}`,
                      run: `edit ${value}`,
                  }
        );
    }
    steps.push({
        content: "enrol",
        trigger: ".modal .lp-enrol-submit:enabled",
        run: "click",
    });
    return steps;
}
