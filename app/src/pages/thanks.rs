//! The family's side of a delivery: the slip a volunteer prints or reads out
//! (`/review/slips/{claim}`), and `/thanks`, where the family confirms with the code on any
//! phone, without an account.

use crate::components::session::RoleGate;
use crate::functions::claims::show_family_slip;
use crate::functions::thanks::ConfirmReceived;
use crate::people::Role;
use leptos::prelude::*;
use leptos_i18n::{td, td_string};
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/review/slips/{claim}`: the delivery slip with the family's code, shown once.
#[component]
pub fn SlipPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <RoleGate allowed=|v| v.has(Role::Volunteer) refused=td_string!(locale, thanks.slip.refused)>
            <Slip/>
        </RoleGate>
    }
}

#[component]
fn Slip() -> impl IntoView {
    let locale = crate::lang::locale();
    let params = use_params_map();
    let claim_id = params
        .read_untracked()
        .get("claim")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let slip = Resource::new(|| (), move |_| show_family_slip(claim_id));
    let thanks_url = crate::share::page_url("/thanks");
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, common.loading)}</p> }>
            {move || {
                let thanks_url = thanks_url.clone();
                Suspend::new(async move {
                    match slip.await {
                        Ok(slip) => view! {
                            <section class="panel slip" data-testid="slip">
                                <h1>{td!(locale, thanks.slip.title)}</h1>
                                <p class="work-head">
                                    <span class=format!("window window-{}", slip.window.code())>{crate::city::window_label(slip.window)}</span>
                                </p>
                                <p class="work-title">{slip.title.clone()}</p>
                                {slip.amount.map(|a| view! { <p class="meta">{td_string!(locale, thanks.slip.pledge, amount = a).to_string()}</p> })}
                                {match slip.code.clone() {
                                    Some(code) => view! {
                                        <p>{td!(locale, thanks.slip.code_intro)}</p>
                                        <p class="family-code" data-testid="family-code">{code}</p>
                                        <p class="hint">
                                            {td_string!(locale, thanks.slip.hint, url = thanks_url, expires = slip.expires_at.shanghai_text()).to_string()}
                                        </p>
                                    }.into_any(),
                                    None => view! {
                                        <p class="warning" data-testid="code-shown">
                                            {td!(locale, thanks.slip.code_shown)}
                                        </p>
                                    }.into_any(),
                                }}
                                <p class="print-hide"><a href="/review">{td!(locale, thanks.slip.back)}</a></p>
                            </section>
                        }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// `/thanks`: a family confirms the help they received with the code from their volunteer.
#[component]
pub fn ThanksPage() -> impl IntoView {
    let locale = crate::lang::locale();
    let confirm = ServerAction::<ConfirmReceived>::new();
    let query = use_query_map();
    let done =
        move || query.read().get("done").is_some() || matches!(confirm.value().get(), Some(Ok(_)));
    view! {
        <section class="panel thanks">
            <h1>{td!(locale, thanks.page.title)}</h1>
            <Show
                when=done
                fallback=move || view! {
                    <p>{td!(locale, thanks.page.intro)}</p>
                    <ActionForm action=confirm attr:class="stack-form" attr:data-testid="thanks-form">
                        <ThanksError confirm/>
                        <label for="thanks-code">{td!(locale, thanks.page.code_label)}</label>
                        <input id="thanks-code" name="code" required autocomplete="one-time-code" autocapitalize="characters" maxlength="20" inputmode="text"/>
                        <label class="check">
                            <input type="checkbox" name="received" value="on" required/>
                            {td!(locale, thanks.page.received)}
                        </label>
                        <label for="thanks-message">{td!(locale, thanks.page.message_label)}</label>
                        <textarea id="thanks-message" name="message" rows="3" maxlength="200"></textarea>
                        <label class="check">
                            <input type="checkbox" name="public" value="on"/>
                            {td!(locale, thanks.page.public)}
                        </label>
                        <button type="submit" class="btn-primary">{td!(locale, thanks.page.submit)}</button>
                    </ActionForm>
                }
            >
                <p class="form-ok" role="status" data-testid="thanks-done">
                    {td!(locale, thanks.page.done)}
                    {move || query.read().get("said").map(|_| td_string!(locale, thanks.page.said))}
                </p>
                {move || {
                    let need = query
                        .read()
                        .get("done")
                        .and_then(|id| id.parse::<i64>().ok())
                        .or_else(|| match confirm.value().get() {
                            Some(Ok(receipt)) => Some(receipt.need_id.0),
                            _ => None,
                        });
                    need.map(|id| view! { <p><a href=format!("/needs/{id}")>{td!(locale, thanks.page.need_link)}</a></p> })
                }}
            </Show>
        </section>
    }
}

/// Why the family's confirmation was refused, in fixed words per field and code. A refused
/// plain form post comes back with its error in the address, which anyone can write: a link
/// to this page must not be able to show a family words of its author's choosing.
#[component]
fn ThanksError(confirm: ServerAction<ConfirmReceived>) -> impl IntoView {
    use crate::error::AppError;
    let locale = crate::lang::locale();
    move || {
        let error = confirm.value().get()?.err()?;
        let (field, text) = match &error {
            AppError::Invalid { field, .. } => (
                field.clone(),
                match field.as_str() {
                    "code" => td_string!(locale, thanks.errors.code),
                    "received" => td_string!(locale, thanks.errors.received),
                    "message" => td_string!(locale, thanks.errors.message),
                    _ => td_string!(locale, thanks.errors.other_field),
                }
                .to_owned(),
            ),
            AppError::WrongCode | AppError::CodeLocked | AppError::CodeSpent | AppError::Busy => {
                (String::new(), error.to_string())
            }
            _ => (
                String::new(),
                td_string!(locale, thanks.errors.failed).to_owned(),
            ),
        };
        Some(view! {
            <p class="form-error" role="alert" data-code=error.code() data-field=field>{text}</p>
        })
    }
}
