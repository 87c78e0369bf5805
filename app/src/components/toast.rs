//! The outcome of this donor's last claim, in plain words, at the bottom of the screen.

use crate::functions::claims::ClaimNeed;
use leptos::prelude::*;
use leptos_i18n::td_string;

/// `claimed_without_script` is the need a donor just claimed with a plain form post (the
/// server redirected to `/?claimed=ID`).
#[component]
pub fn ClaimToast(
    claim: ServerAction<ClaimNeed>,
    claimed_without_script: Option<i64>,
) -> impl IntoView {
    let locale = crate::lang::locale();
    let dismissed = RwSignal::new(false);
    let message = move || {
        let from_form_post = move || {
            claimed_without_script
                .filter(|_| !dismissed.get())
                .map(|id| {
                    (
                        "toast toast-ok",
                        td_string!(locale, board.toast.claimed_no_script, id = id).to_string(),
                    )
                })
        };
        claim
            .value()
            .get()
            .map(|outcome| match outcome {
                Ok(receipt) => (
                    "toast toast-ok",
                    td_string!(
                        locale,
                        board.toast.claimed,
                        title = receipt.title,
                        pledge = receipt
                            .amount
                            .map(
                                |amount| td_string!(locale, board.toast.pledge, amount = amount)
                                    .to_string()
                            )
                            .unwrap_or_default(),
                        coordinator = receipt
                            .coordinator
                            .map(|c| {
                                td_string!(
                                    locale,
                                    board.toast.coordinator,
                                    name = c.name,
                                    phone = c.phone
                                )
                                .to_string()
                            })
                            .unwrap_or_else(
                                || td_string!(locale, board.toast.coordinator_soon).to_owned()
                            ),
                    )
                    .to_string(),
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
                                    aria-label=td_string!(locale, board.toast.close)
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
                <p class="toast">{td_string!(locale, board.toast.pending)}</p>
            </Show>
        </div>
    }
}
