//! Who is signed in, shared by the header and every page, and the small pieces of UI around it.

use crate::error::AppError;
use crate::functions::accounts::SignOut;
use crate::people::{Role, Viewer};
use leptos::prelude::*;
use leptos_i18n::{td, td_string};

/// The signed-in person (or nobody), as the server's session layer resolved them for this
/// request. Pages are rendered on the server only (islands get what they need as props), so
/// this needs no resource: reading one resource in two `<Suspense>`s (the header and the page)
/// let a small share of responses stall for ever (leptos-rs/leptos#4851; our review test hung
/// on it), and a page has no reason to wait for what the request already says.
pub fn signed_in_viewer() -> Option<Viewer> {
    #[cfg(feature = "ssr")]
    {
        crate::functions::resolved_caller()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The signed-in person's unread notices, as counted for this page request.
fn unread_count() -> i64 {
    #[cfg(feature = "ssr")]
    {
        crate::functions::unread_notices().unwrap_or(0)
    }
    #[cfg(not(feature = "ssr"))]
    {
        0
    }
}

/// The header's part: the person's name, links to their work, and signing out.
#[component]
pub fn SessionNav() -> impl IntoView {
    let locale = crate::lang::locale();
    let signed_in = match signed_in_viewer() {
        Some(viewer) => {
            let links = [
                (
                    Role::Donor,
                    "/my/claims",
                    td_string!(locale, common.nav.my_claims),
                ),
                (
                    Role::Volunteer,
                    "/intake",
                    td_string!(locale, common.nav.intake),
                ),
                (
                    Role::Reviewer,
                    "/review",
                    td_string!(locale, common.nav.review),
                ),
                (Role::Official, "/desk", td_string!(locale, common.nav.desk)),
                (
                    Role::Provider,
                    "/my/offers",
                    td_string!(locale, common.nav.my_offers),
                ),
                (
                    Role::Reviewer,
                    "/review/reports",
                    td_string!(locale, common.nav.reports),
                ),
                (
                    Role::Volunteer,
                    "/my/hours",
                    td_string!(locale, common.nav.my_hours),
                ),
                (
                    Role::Reviewer,
                    "/review/hours",
                    td_string!(locale, common.nav.review_hours),
                ),
                (Role::Admin, "/admin", td_string!(locale, common.nav.admin)),
            ]
            .into_iter()
            // Volunteers give the second approval, so they review too; admins read the desk.
            .filter(|(role, href, _)| {
                viewer.has(*role)
                    || (*href == "/review" && viewer.has(Role::Volunteer))
                    || (*href == "/desk" && viewer.has(Role::Admin))
            })
            .map(|(_, href, label)| view! { <a href=href>{label}</a> })
            .collect_view();
            let unread = unread_count();
            view! {
                <span class="who" data-testid="signed-in-as">{viewer.name.clone()}</span>
                // Read aloud as "Notices 3 unread": the visible words come first in the name.
                <a href="/my/notices" class="notices-link" data-testid="notices-link">
                    {td!(locale, common.nav.notices)}
                    <span id="unread-count" class="count" data-unread=unread>{unread}</span>
                    <span class="visually-hidden">{td!(locale, common.nav.unread_suffix)}</span>
                </a>
                {links}
                // A plain form post: the server ends the session and sends the browser to
                // the board.
                <form method="post" action=sign_out_path() class="sign-out">
                    <button type="submit" class="link-button">{td!(locale, common.nav.sign_out)}</button>
                </form>
            }
            .into_any()
        }
        None => view! { <a href="/signin">{td!(locale, common.nav.sign_in)}</a> }.into_any(),
    };
    view! {
        <nav class="session-nav" aria-label=td_string!(locale, common.nav.aria)>
            <a href="/offers">{td!(locale, common.nav.offers)}</a>
            <a href="/impact">{td!(locale, common.nav.impact)}</a>
            <a href="/credit">{td!(locale, common.nav.credit)}</a>
            {signed_in}
        </nav>
    }
}

/// A form's outcome: the error in plain words (a refused plain form post comes back with it
/// in the address), or `done` once it succeeded: the page was reached with `?{when}=…`, where
/// the server sends a plain form post that succeeded (or, in an island, the call returned).
#[component]
pub fn Outcome<T: Clone + Send + Sync + 'static>(
    #[prop(into)] value: Signal<Option<Result<T, AppError>>>,
    #[prop(into)] done: String,
    /// The query key that says this form succeeded.
    #[prop(optional)]
    when: Option<&'static str>,
) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let succeeded = move || {
        matches!(value.get(), Some(Ok(_)))
            || when.is_some_and(|key| query.read().get(key).is_some())
    };
    view! {
        {move || match value.get() {
            Some(Err(error)) => {
                let field = match &error {
                    AppError::Invalid { field, .. } => field.clone(),
                    _ => String::new(),
                };
                Some(
                    view! {
                        <p class="form-error" role="alert" data-code=error.code() data-field=field>
                            {error.to_string()}
                        </p>
                    }
                        .into_any(),
                )
            }
            _ if succeeded() => Some(view! { <p class="form-ok" role="status">{done.clone()}</p> }.into_any()),
            _ => None,
        }}
    }
}

/// A work page's door: `children` for a signed-in person `allowed` admits; otherwise what is
/// missing in plain words (`refused` for the wrong roles, a sign-in link for nobody).
#[component]
pub fn RoleGate(
    allowed: fn(&Viewer) -> bool,
    refused: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let locale = crate::lang::locale();
    let (message, link) = match signed_in_viewer() {
        Some(viewer) if allowed(&viewer) => return children().into_any(),
        Some(_) => (refused, td_string!(locale, common.gate.switch_account)),
        None => (
            td_string!(locale, common.gate.sign_in_first),
            td_string!(locale, common.gate.sign_in),
        ),
    };
    view! {
        <section class="panel">
            <h1 class="page-title">{message}</h1>
            <p><a class="btn-secondary" href="/signin">{link}</a></p>
        </section>
    }
    .into_any()
}

/// The city's towns (镇、街道) as configured, read as the page is rendered on the server
/// (empty in the browser: pages are rendered on the server only).
pub fn city_towns() -> Vec<String> {
    #[cfg(feature = "ssr")]
    return use_context::<crate::settings::Settings>()
        .map(|settings| settings.towns)
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    Vec::new()
}

/// The villages (村、社区) of the towns that list them, in the towns' order, as configured
/// (empty in the browser, like the towns).
pub fn city_villages() -> Vec<(String, Vec<String>)> {
    #[cfg(feature = "ssr")]
    return use_context::<crate::settings::Settings>()
        .map(|settings| {
            settings
                .towns
                .iter()
                .filter_map(|town| {
                    let villages = settings.villages.get(town)?;
                    Some((town.clone(), villages.clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    Vec::new()
}

/// A picker of the city's towns (镇、街道), so a town is never mistyped. `everywhere` adds a
/// first choice with an empty value (a role for every town). The list is the server's
/// configuration, read as the page is rendered.
#[component]
pub fn TownSelect(
    id: &'static str,
    name: &'static str,
    everywhere: Option<&'static str>,
) -> impl IntoView {
    let towns = city_towns();
    view! {
        <select id=id name=name required=everywhere.is_none()>
            {everywhere.map(|label| view! { <option value="">{label}</option> })}
            {towns
                .into_iter()
                .map(|town| view! { <option value=town.clone()>{town.clone()}</option> })
                .collect_view()}
        </select>
    }
}

/// Where the sign-out form posts: the server function's own address.
fn sign_out_path() -> &'static str {
    <SignOut as server_fn::ServerFn>::PATH
}
