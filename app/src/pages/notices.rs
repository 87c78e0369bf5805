//! `/my/notices`: a person's inbox, newest first, live while open (a stream of their own, never
//! the public one), and their choices: which kinds also come as a message, quiet hours, email.

use crate::components::session::Outcome;
use crate::components::session::RoleGate;
use crate::domain::{Inbox, Notice, NoticePrefs, QuietHours, SenderKind};
use crate::functions::notices::{get_inbox, get_notice_prefs, MarkNoticesRead, SaveNoticePrefs};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::hooks::use_query_map;

/// Where this person's stream is served (by the server crate).
pub const NOTICE_STREAM_PATH: &str = "/api/my/notices/events";
/// The event the stream sends when the person's notices changed; its data is `{"unread": n}`.
pub const NOTICE_EVENT: &str = "notices";

#[component]
pub fn NoticesPage() -> impl IntoView {
    view! {
        <RoleGate allowed=|_| true refused="">
            <Notices/>
        </RoleGate>
    }
}

/// Where the "mark read" forms post: the server function's own address.
fn mark_read_path() -> &'static str {
    <MarkNoticesRead as server_fn::ServerFn>::PATH
}

#[component]
fn Notices() -> impl IntoView {
    let locale = crate::lang::locale();
    let inbox = Resource::new(|| (), |_| get_inbox());
    let save = ServerAction::<SaveNoticePrefs>::new();
    let prefs = Resource::new(move || save.version().get(), |_| get_notice_prefs());
    let query = use_query_map();
    let all_read = move || {
        query
            .read()
            .get("read")
            .map(|_| view! { <p class="form-ok" role="status">{td_string!(locale, notices.all_read)}</p> })
    };
    view! {
        <section class="panel">
            <h1>{td_string!(locale, notices.title)}</h1>
            {all_read}
            <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, notices.loading)}</p> }>
                {move || Suspend::new(async move {
                    match inbox.await {
                        Ok(inbox) => view! { <NoticeList inbox/> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <form method="post" action=mark_read_path() class="stack-form">
                <button type="submit" class="btn-secondary">{td_string!(locale, notices.mark_all)}</button>
            </form>
        </section>
        <section class="panel" id="settings">
            <h2>{td_string!(locale, notices.settings)}</h2>
            <Outcome value=save.value() done=td_string!(locale, notices.saved) when="saved"/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    prefs.await.map(|prefs| view! { <PrefsForm prefs save/> })
                })}
            </Suspense>
        </section>
    }
}

/// The inbox as the server rendered it, newest first.
#[component]
fn NoticeList(inbox: Inbox) -> impl IntoView {
    let Inbox { notices, unread } = inbox;
    let locale = crate::lang::locale();
    let list = if notices.is_empty() {
        view! { <p class="empty">{td_string!(locale, notices.empty)}</p> }.into_any()
    } else {
        view! {
            <ul class="work-list notices" data-testid="notices">
                {notices.into_iter().map(|notice| view! { <NoticeItem notice/> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <InboxBell unread locale/>
        {list}
    }
}

/// What changes while the inbox is open: the unread count (here and in the header) and, when
/// notices arrive, a line saying so with a link that shows them. It follows the person's own
/// stream. An island, kept small: the list itself is server HTML (re-rendering it in the
/// browser cost the client 19 KB gzip).
#[island]
fn InboxBell(unread: i64, locale: crate::lang::Locale) -> impl IntoView {
    crate::lang::provide_locale(locale);
    let count = RwSignal::new(unread);
    #[cfg(feature = "hydrate")]
    follow_my_notices(count);
    let arrived = move || count.get() > unread;
    view! {
        <p class="hint" data-testid="unread-line" aria-live="polite">
            {move || match count.get() {
                0 => td_string!(locale, notices.bell.none).to_owned(),
                n => td_string!(locale, notices.bell.unread, n = n).to_string(),
            }}
            {move || arrived().then(|| view! {
                " " <a href="/my/notices" class="new-notices" data-testid="new-notices">{td_string!(locale, notices.bell.fresh)}</a>
            })}
        </p>
    }
}

#[component]
fn NoticeItem(notice: Notice) -> impl IntoView {
    let locale = crate::lang::locale();
    let body = notice.body_in(locale).to_owned();
    let Notice {
        id,
        kind,
        link,
        created_at,
        read,
        ..
    } = notice;
    view! {
        <li class="work-item notice" data-unread=if read { "false" } else { "true" } data-kind=kind.code()>
            <p class="meta">
                {(!read).then(|| view! { <span class="badge">{td_string!(locale, notices.unread_badge)}</span> " " })}
                {created_at.shanghai_text()}
            </p>
            <p class="notice-body"><a href=link>{body}</a></p>
            {(!read).then(|| view! {
                <form method="post" action=mark_read_path()>
                    <input type="hidden" name="notice_id" value=id/>
                    <button type="submit" class="link-button">{td_string!(locale, notices.mark_read)}</button>
                </form>
            })}
        </li>
    }
}

/// Opens the person's stream and follows its unread count; the header's count follows too.
#[cfg(feature = "hydrate")]
fn follow_my_notices(count: RwSignal<i64>) {
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    #[derive(serde::Deserialize)]
    struct Said {
        unread: i64,
    }
    let source = StoredValue::new_local(None::<EventSource>);
    Effect::new(move |_| {
        let Ok(mut opened) = EventSource::new(NOTICE_STREAM_PATH) else {
            return;
        };
        let Ok(mut changes) = opened.subscribe(NOTICE_EVENT) else {
            return;
        };
        source.set_value(Some(opened));
        leptos::task::spawn_local(async move {
            while let Some(Ok((_, event))) = changes.next().await {
                let said = event
                    .data()
                    .as_string()
                    .and_then(|data| serde_json::from_str::<Said>(&data).ok());
                if let Some(Said { unread }) = said {
                    set_header_count(unread);
                    count.set(unread);
                }
            }
        });
    });
    on_cleanup(move || {
        if let Some(source) = source.try_update_value(Option::take).flatten() {
            source.close();
        }
    });
}

/// The header's unread count, outside this island: written into its element directly.
#[cfg(feature = "hydrate")]
fn set_header_count(unread: i64) {
    let Some(badge) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("unread-count"))
    else {
        return;
    };
    badge.set_text_content(Some(&unread.to_string()));
    let _ = badge.set_attribute("data-unread", &unread.to_string());
}

#[component]
fn PrefsForm(prefs: NoticePrefs, save: ServerAction<SaveNoticePrefs>) -> impl IntoView {
    let NoticePrefs {
        by_message,
        quiet,
        email,
        sender,
    } = prefs;
    let locale = crate::lang::locale();
    let where_to = match sender {
        SenderKind::None => td_string!(locale, notices.prefs.sender_none),
        SenderKind::Webhook => td_string!(locale, notices.prefs.sender_webhook),
        SenderKind::Email => td_string!(locale, notices.prefs.sender_email),
    };
    let rows = by_message
        .into_iter()
        .map(|(kind, on)| {
            let name = format!("choices[m_{}]", kind.code());
            view! {
                <label class="check">
                    <input type="checkbox" name=name.clone() value="1" checked=on/>
                    {kind.label()}
                </label>
            }
        })
        .collect_view();
    view! {
        <ActionForm action=save attr:class="stack-form" attr:data-testid="notice-prefs">
            <p class="hint">{td_string!(locale, notices.prefs.all_on_site)} {where_to}</p>
            <fieldset>
                <legend>{td_string!(locale, notices.prefs.by_message)}</legend>
                {rows}
            </fieldset>
            <fieldset>
                <legend>{td_string!(locale, notices.prefs.quiet)}</legend>
                <label for="quiet_from">{td_string!(locale, notices.prefs.from)}</label>
                <input id="quiet_from" name="choices[quiet_from]" type="time" required value=QuietHours::text(quiet.from)/>
                <label for="quiet_to">{td_string!(locale, notices.prefs.to)}</label>
                <input id="quiet_to" name="choices[quiet_to]" type="time" required value=QuietHours::text(quiet.to)/>
                <p class="hint">{td_string!(locale, notices.prefs.quiet_hint)}</p>
            </fieldset>
            <label for="email">{td_string!(locale, notices.prefs.email)}</label>
            <input id="email" name="choices[email]" type="email" maxlength="254" autocomplete="email" value=email.unwrap_or_default()/>
            <button type="submit" class="btn-primary">{td_string!(locale, notices.prefs.save)}</button>
        </ActionForm>
    }
}
