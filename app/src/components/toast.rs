//! The outcome of this donor's last claim, in plain words, at the bottom of the screen.

use crate::functions::claims::ClaimNeed;
use leptos::prelude::*;

/// `claimed_without_script` is the need a donor just claimed with a plain form post (the
/// server redirected to `/?claimed=ID`).
#[component]
pub fn ClaimToast(
    claim: ServerAction<ClaimNeed>,
    claimed_without_script: Option<i64>,
) -> impl IntoView {
    let dismissed = RwSignal::new(false);
    let message = move || {
        let from_form_post = move || {
            claimed_without_script
                .filter(|_| !dismissed.get())
                .map(|id| {
                    (
                        "toast toast-ok",
                        format!("认领成功（需求编号 {id}）。协调志愿者会尽快与您联系，谢谢您！"),
                    )
                })
        };
        claim
            .value()
            .get()
            .map(|outcome| match outcome {
                Ok(receipt) => (
                    "toast toast-ok",
                    format!(
                        "认领成功：{}{}。{}谢谢您！送达后请在“我的认领”里登记。",
                        receipt.title,
                        receipt
                            .amount
                            .map(|a| format!("（认捐 {a}）"))
                            .unwrap_or_default(),
                        receipt
                            .coordinator
                            .map(|c| format!("协调志愿者：{} {}。", c.name, c.phone))
                            .unwrap_or_else(|| "协调志愿者会尽快与您联系。".to_owned()),
                    ),
                ),
                Err(error) => ("toast toast-error", error.to_string()),
            })
            .or_else(from_form_post)
    };
    view! {
        <div class="toast-area" role="status" aria-live="polite" data-testid="claim-outcome">
            {move || {
                message()
                    .map(|(class, text)| {
                        view! {
                            <p class=class>
                                {text}
                                <button
                                    type="button"
                                    class="toast-close"
                                    aria-label="关闭"
                                    on:click=move |_| {
                                        claim.value().set(None);
                                        dismissed.set(true);
                                    }
                                >
                                    "×"
                                </button>
                            </p>
                        }
                    })
            }}
            <Show when=move || claim.pending().get()>
                <p class="toast">"正在提交认领…"</p>
            </Show>
        </div>
    }
}
