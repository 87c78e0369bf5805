//! `/admin`: give people roles (and the town a role is bound to), and import other agencies'
//! aid records by CSV.

use crate::components::session::{Outcome, RoleGate, TownSelect};
use crate::domain::DeadLetters;
use crate::functions::accounts::{list_accounts, AssignRole};
use crate::functions::aid::ImportAid;
use crate::functions::notices::{list_dead_letters, RetryDeadLetters};
use crate::people::Role;
use leptos::prelude::*;
use leptos_i18n::{td, td_string};

#[component]
pub fn AdminPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <RoleGate allowed=|v| v.has(Role::Admin) refused=td_string!(locale, admin.admins_only)>
            <AdminDesk/>
        </RoleGate>
    }
}

#[component]
fn AdminDesk() -> impl IntoView {
    let locale = crate::lang::locale();
    let assign = ServerAction::<AssignRole>::new();
    let import = ServerAction::<ImportAid>::new();
    let accounts = Resource::new(move || assign.version().get(), |_| list_accounts());
    // A plain form post that imported lands on /admin?imported=N&matched=M.
    let query = leptos_router::hooks::use_query_map();
    let imported = move || {
        let query = query.read();
        let count = |key: &str| query.get(key).and_then(|n| n.parse::<usize>().ok());
        let from_query = count("imported").map(|n| (n, count("matched").unwrap_or(0)));
        import
            .value()
            .get()
            .and_then(Result::ok)
            .map(|report| (report.imported, report.matched_households))
            .or(from_query)
            .map(|(imported, matched)| {
                td_string!(
                    locale,
                    admin.imported,
                    imported = imported,
                    matched = matched
                )
                .to_string()
            })
    };
    view! {
        <section class="panel">
            <h1>{td!(locale, admin.roles.heading)}</h1>
            <ActionForm action=assign attr:class="stack-form" attr:data-testid="assign-role">
                <label for="role-phone">{td!(locale, admin.roles.phone_label)}</label>
                <input id="role-phone" name="phone" type="tel" inputmode="numeric" required/>
                <label for="role-role">{td!(locale, admin.roles.role_label)}</label>
                <select id="role-role" name="role">
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                </select>
                <label for="role-town">{td!(locale, admin.roles.town_label)}</label>
                <TownSelect id="role-town" name="town" everywhere=Some(td_string!(locale, admin.roles.everywhere))/>
                <label class="inline"><input type="checkbox" name="revoke" value="true"/>{td!(locale, admin.roles.revoke)}</label>
                <button type="submit" class="btn-primary">{td!(locale, admin.roles.save)}</button>
                <Outcome value=assign.value() done=td_string!(locale, admin.roles.saved) when="assigned"/>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let accounts = accounts.await.unwrap_or_default();
                    view! {
                        <table class="accounts">
                            <thead><tr><th>{td!(locale, admin.roles.col_account)}</th><th>{td!(locale, admin.roles.col_phone)}</th><th>{td!(locale, admin.roles.col_roles)}</th></tr></thead>
                            <tbody>
                                {accounts
                                    .into_iter()
                                    .map(|a| {
                                        let roles = a.roles.iter().map(|g| g.label()).collect::<Vec<_>>().join(td_string!(locale, admin.roles.separator));
                                        view! { <tr><td>{a.name}</td><td>{a.phone}</td><td>{roles}</td></tr> }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            </Suspense>
        </section>
        <section class="panel">
            <h2>{td!(locale, admin.import.heading)}</h2>
            <p class="hint">
                {td!(locale, admin.import.hint)}
            </p>
            <ActionForm action=import attr:class="stack-form" attr:data-testid="import-aid">
                <label for="import-csv">{td!(locale, admin.import.csv_label)}</label>
                <textarea id="import-csv" name="csv" rows="8" required></textarea>
                <button type="submit" class="btn-primary">{td!(locale, admin.import.button)}</button>
            </ActionForm>
            {move || imported().map(|text| view! { <p class="form-ok" role="status">{text}</p> })}
            {move || {
                import
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|error| view! { <p class="form-error import-errors" role="alert">{error.to_string()}</p> })
            }}
        </section>
        <section class="panel">
            <h2>{td!(locale, admin.partners.heading)}</h2>
            <p>
                {td!(locale, admin.partners.intro)}<a href="/admin/agencies">{td!(locale, admin.partners.manage_link)}</a>" · "
                <a href="/admin/api-log">{td!(locale, admin.partners.log_link)}</a>" · "
                <a href="/api/v1/docs">{td!(locale, admin.partners.docs_link)}</a>
            </p>
        </section>
        <DeadLetterDesk/>
    }
}

/// Messages the outbox gave up on after every try: which kind, to whom, what the gateway said
/// last; one button sends them all again.
#[component]
fn DeadLetterDesk() -> impl IntoView {
    let locale = crate::lang::locale();
    let retry = ServerAction::<RetryDeadLetters>::new();
    let letters = Resource::new(move || retry.version().get(), |_| list_dead_letters());
    view! {
        <section class="panel" id="dead-letters">
            <h2>{td!(locale, admin.dead_letters.heading)}</h2>
            <Outcome value=retry.value() done=td_string!(locale, admin.dead_letters.retried) when="retried"/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let DeadLetters { letters, total } = letters.await.unwrap_or_default();
                    if total == 0 {
                        return view! { <p class="empty" data-testid="dead-letters">{td!(locale, admin.dead_letters.none)}</p> }.into_any();
                    }
                    view! {
                        <p data-testid="dead-letters" data-total=total>{td_string!(locale, admin.dead_letters.total, total = total).to_string()}</p>
                        <table class="accounts">
                            <thead><tr><th>{td!(locale, admin.dead_letters.col_time)}</th><th>{td!(locale, admin.dead_letters.col_kind)}</th><th>{td!(locale, admin.dead_letters.col_to)}</th><th>{td!(locale, admin.dead_letters.col_attempts)}</th><th>{td!(locale, admin.dead_letters.col_error)}</th></tr></thead>
                            <tbody>
                                {letters
                                    .into_iter()
                                    .map(|l| view! {
                                        <tr>
                                            <td>{l.dead_at.shanghai_text()}</td>
                                            <td>{l.kind.label()}</td>
                                            <td>{l.user_name}</td>
                                            <td>{l.attempts}</td>
                                            <td>{l.last_error}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                        <ActionForm action=retry attr:class="stack-form">
                            <button type="submit" class="btn-secondary">{td!(locale, admin.dead_letters.retry_button)}</button>
                        </ActionForm>
                    }
                        .into_any()
                })}
            </Suspense>
        </section>
    }
}

/// Texts of the server's plain handlers and workers (`server/src`), which run outside Leptos
/// and read their texts through these, in the language they are given.
pub mod server_texts {
    use crate::lang::Locale;
    use leptos_i18n::td_string;

    /// The subject of every notice email, under the city's brand (`万善丹阳通知`).
    pub fn notice_subject(locale: Locale, brand: &str) -> String {
        td_string!(locale, admin.server.notice_subject, brand = brand).to_string()
    }

    /// Why a live stream's `Last-Event-ID` (or `after`) was refused.
    pub fn bad_event_id(locale: Locale, id: &str) -> String {
        td_string!(locale, admin.server.bad_event_id, id = id).to_string()
    }

    /// The page `POST /admin/agencies/keys` answers with, which shows a new API key once.
    #[derive(Clone, Copy, Debug)]
    pub struct NewKeyPage {
        /// The `<html lang>` of the page.
        pub lang: &'static str,
        pub title: &'static str,
        pub heading: &'static str,
        /// Said strongly: the key is shown once…
        pub once: &'static str,
        /// …and what to do with it.
        pub once_rest: &'static str,
        pub no_refresh: &'static str,
        /// Before the header `Authorization: Bearer <key>`.
        pub usage: &'static str,
        /// The placeholder in `Bearer <key>`.
        pub usage_key: &'static str,
        /// Between the header and the link to the docs.
        pub usage_see: &'static str,
        pub docs_link: &'static str,
        /// After the link to the docs.
        pub usage_end: &'static str,
        /// The heading when no key was made.
        pub failed: &'static str,
        pub back: &'static str,
    }

    impl NewKeyPage {
        pub fn new(locale: Locale) -> NewKeyPage {
            NewKeyPage {
                lang: crate::lang::tag(locale),
                title: td_string!(locale, agencies.new_key.title),
                heading: td_string!(locale, agencies.new_key.heading),
                once: td_string!(locale, agencies.new_key.once),
                once_rest: td_string!(locale, agencies.new_key.once_rest),
                no_refresh: td_string!(locale, agencies.new_key.no_refresh),
                usage: td_string!(locale, agencies.new_key.usage),
                usage_key: td_string!(locale, agencies.new_key.usage_key),
                usage_see: td_string!(locale, agencies.new_key.usage_see),
                docs_link: td_string!(locale, agencies.new_key.docs_link),
                usage_end: td_string!(locale, agencies.new_key.usage_end),
                failed: td_string!(locale, agencies.new_key.failed),
                back: td_string!(locale, agencies.new_key.back),
            }
        }
    }
}
