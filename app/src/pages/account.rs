//! `/signin` and `/signup`: a phone number and a password, then back to where the person was
//! (`?next=`, a path on this site). Plain form posts: the server sets the cookie and redirects;
//! a refusal comes back in the address and shows beside the form.

use crate::components::session::Outcome;
use crate::functions::accounts::{SignIn, SignUp};
use crate::people::local_path;
use leptos::prelude::*;
use leptos_i18n::{td, td_string};
use leptos_router::hooks::use_query_map;

fn next_path() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| local_path(&query.read().get("next").unwrap_or_default()))
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = crate::lang::locale();
    let next = next_path();
    let action = ServerAction::<SignIn>::new();
    let signup_href = move || {
        format!(
            "/signup?next={}",
            crate::components::filter_bar::encode_component(&next.get())
        )
    };
    view! {
        <section class="panel account">
            <h1>{td!(locale, account.signin.title)}</h1>
            <ActionForm action attr:class="stack-form">
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="signin-phone">{td!(locale, account.signin.phone)}</label>
                <input id="signin-phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" required/>
                <label for="signin-password">{td!(locale, account.signin.password)}</label>
                <input id="signin-password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit" class="btn-primary">{td!(locale, account.signin.submit)}</button>
                <Outcome value=action.value() done=td_string!(locale, account.signin.done)/>
            </ActionForm>
            <p class="switch">{td!(locale, account.signin.no_account)} <a href=signup_href>{td!(locale, account.signin.signup_link)}</a></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let locale = crate::lang::locale();
    let next = next_path();
    let action = ServerAction::<SignUp>::new();
    let signin_href = move || {
        format!(
            "/signin?next={}",
            crate::components::filter_bar::encode_component(&next.get())
        )
    };
    view! {
        <section class="panel account">
            <h1>{td!(locale, account.signup.title)}</h1>
            <p class="hint">{td!(locale, account.signup.hint)}</p>
            <ActionForm action attr:class="stack-form">
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="signup-phone">{td!(locale, account.signup.phone)}</label>
                <input id="signup-phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" required/>
                <label for="signup-name">{td!(locale, account.signup.name)}</label>
                <input id="signup-name" name="name" maxlength="30" autocomplete="name" placeholder=td_string!(locale, account.signup.name_placeholder) required/>
                <fieldset class="choice">
                    <legend>{td!(locale, account.signup.kind)}</legend>
                    <label><input type="radio" name="kind" value="person" checked/>{td!(locale, account.signup.person)}</label>
                    <label><input type="radio" name="kind" value="organisation"/>{td!(locale, account.signup.organisation)}</label>
                </fieldset>
                <label for="signup-password">{td!(locale, account.signup.password)}</label>
                <input id="signup-password" name="password" type="password" minlength="8" autocomplete="new-password" required/>
                <button type="submit" class="btn-primary">{td!(locale, account.signup.submit)}</button>
                <Outcome value=action.value() done=td_string!(locale, account.signup.done)/>
            </ActionForm>
            <p class="switch">{td!(locale, account.signup.have_account)} <a href=signin_href>{td!(locale, account.signup.signin_link)}</a></p>
        </section>
    }
}
