//! The outcome of this donor's last claim, in plain words, at the bottom of the screen.

use crate::functions::claims::ClaimNeed;
use leptos::prelude::*;

#[component]
pub fn ClaimToast(claim: ServerAction<ClaimNeed>) -> impl IntoView {
    let message = move || {
        claim.value().get().map(|outcome| match outcome {
            Ok(receipt) => (
                "toast toast-ok",
                format!(
                    "认领成功：{}。协调志愿者会尽快与您联系，谢谢您！",
                    receipt.title
                ),
            ),
            Err(error) => ("toast toast-error", error.to_string()),
        })
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
                                    on:click=move |_| claim.value().set(None)
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
