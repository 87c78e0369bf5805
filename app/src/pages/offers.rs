//! Non-material help: `/offers` (the public list, live), `/offers/{id}` (one offer; a
//! volunteer of a town it serves books households there), `/offers/new` and `/my/offers` (a
//! provider's offers and who is booked), `/review/offers` (a volunteer's review). Plain forms:
//! every page works without JavaScript; only the list's places follow the live stream.

use crate::components::session::{city_towns, signed_in_viewer, Outcome, RoleGate};
use crate::domain::{EventId, OfferStatus, PublicOffer, ServiceKind, Slot, Window};
use crate::error::AppError;
use crate::functions::offers::{
    get_offer, list_my_offers, list_offers, list_offers_for_review, BookService, CloseOffer,
    CreateOffer, DecideOffer, OfferList, OfferPage, RecordBooking,
};
use crate::people::Role;
use crate::private::{Booking, BookingStatus, OwnOffer};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/offers?town=…&window=…`: published services with a time still to come.
#[component]
pub fn OffersPage() -> impl IntoView {
    let query = use_query_map().read_untracked();
    let town = query.get("town").unwrap_or_default();
    let window = query.get("window").unwrap_or_default();
    let filter = (town.clone(), window.clone());
    let (shown_town, shown_window) = (town.clone(), window.clone());
    let listed = Resource::new(
        move || filter.clone(),
        |(town, window)| list_offers(town, window),
    );
    let provider = signed_in_viewer().is_some_and(|v| v.has(Role::Provider));
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, offers.title))/>
        <section class="panel">
            <h1>{td_string!(locale, offers.title)}</h1>
            <p class="hint">{td_string!(locale, offers.intro)}</p>
            {provider.then(|| view! { <p><a class="btn-primary" href="/offers/new">{td_string!(locale, offers.new_offer_button)}</a></p> })}
            <form method="get" action="/offers" class="filter-form">
                <label for="offers-window">{td_string!(locale, offers.filter.window)}</label>
                <select id="offers-window" name="window">
                    <option value="">{td_string!(locale, offers.filter.all)}</option>
                    {crate::city::City::current()
                        .windows_on()
                        .into_iter()
                        .map(|w| view! { <option value=w.code() selected=w.code() == window>{crate::city::window_label(w)}</option> })
                        .collect_view()}
                </select>
                <label for="offers-town">{td_string!(locale, offers.filter.town)}</label>
                <select id="offers-town" name="town">
                    <option value="">{td_string!(locale, offers.filter.all)}</option>
                    {city_towns()
                        .into_iter()
                        .map(|t| {
                            let selected = t == town;
                            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="btn-secondary">{td_string!(locale, offers.filter.submit)}</button>
            </form>
        </section>
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, offers.loading)}</p> }>
            {move || {
                let (town, window) = (shown_town.clone(), Window::parse(&shown_window).ok());
                Suspend::new(async move {
                match listed.await {
                    Ok(OfferList { as_of, offers, .. }) => {
                        view! { <LiveOffers offers as_of only_town=town only_window=window locale/> }.into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

/// The list, as server HTML, and the island that keeps it live.
#[component]
fn LiveOffers(
    offers: Vec<PublicOffer>,
    as_of: EventId,
    only_town: String,
    only_window: Option<Window>,
    locale: crate::lang::Locale,
) -> impl IntoView {
    let count = offers.len();
    view! {
        <OfferPlaces as_of count only_town only_window locale/>
        <ul class="offers" data-testid="offers">
            {offers.into_iter().map(|offer| view! { <OfferCard offer/> }).collect_view()}
        </ul>
    }
}

/// Keeps the server-rendered list live: an island holding only the count line. A slot's places
/// and a closed offer are written into the list's elements directly, and a newly approved offer
/// of the shown town and window reloads the list: the list itself is server HTML, so a phone
/// downloads no code to draw offers.
#[island]
fn OfferPlaces(
    as_of: EventId,
    count: usize,
    /// The filter shown (empty town, no window: all).
    only_town: String,
    only_window: Option<Window>,
    locale: crate::lang::Locale,
) -> impl IntoView {
    crate::lang::provide_locale(locale);
    let count = RwSignal::new(count);
    let live = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let reload = || {
            let _ = window().location().reload();
        };
        use crate::domain::LiveChange;
        let apply = move |change: LiveChange| match change {
            LiveChange::SlotChanged { slot, .. } => show_places(&slot),
            LiveChange::OfferClosed { offer_id } => {
                if remove_offer(offer_id) {
                    count.update(|c| *c = c.saturating_sub(1));
                }
            }
            LiveChange::OfferPublished { window, towns, .. } => {
                let shown = (only_town.is_empty() || towns.contains(&only_town))
                    && only_window.is_none_or(|w| w == window);
                if shown {
                    reload();
                }
            }
            _ => {}
        };
        crate::live::client::follow(as_of, apply, reload, live);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (as_of, only_town, only_window);
    view! {
        <p class="board-count" data-live=move || if live.get() { "on" } else { "off" }>
            <span aria-live="polite">{move || td_string!(locale, offers.live.count, n = count.get()).to_string()}</span>
        </p>
        <Show when=move || count.get() == 0>
            <p class="empty">{td_string!(locale, offers.live.empty)}</p>
        </Show>
    }
}

/// Writes a slot's places into its element on the page.
#[cfg(feature = "hydrate")]
fn show_places(slot: &crate::domain::SlotPlaces) {
    let Some(element) = document()
        .query_selector(&format!("li.slot[data-slot-id=\"{}\"]", slot.slot_id))
        .ok()
        .flatten()
    else {
        return;
    };
    let free = (slot.places - slot.booked).max(0);
    let _ = element.set_attribute("data-free", &free.to_string());
    if let Ok(Some(text)) = element.query_selector(".places") {
        text.set_text_content(Some(&Slot::places_text(slot.booked, slot.places)));
    }
}

/// Takes a closed offer off the page; whether it was there.
#[cfg(feature = "hydrate")]
fn remove_offer(offer: crate::domain::OfferId) -> bool {
    match document().query_selector(&format!("li.offer[data-offer-id=\"{offer}\"]")) {
        Ok(Some(element)) => {
            element.remove();
            true
        }
        _ => false,
    }
}

#[component]
fn OfferCard(offer: PublicOffer) -> impl IntoView {
    let locale = crate::lang::locale();
    let id = offer.id.0;
    let free = offer.free_places();
    view! {
        <li class="offer need" data-offer-id=id data-free=free>
            <article>
                <header class="need-head">
                    <span class=format!("window window-{}", offer.window.code())>{crate::city::window_label(offer.window)}</span>
                    <span class="service-kind">{offer.kind.label()}</span>
                    <span class="place">{offer.towns.join(td_string!(locale, offers.list_separator))}</span>
                </header>
                <h2 class="need-title"><a href=format!("/offers/{id}")>{offer.title.clone()}</a></h2>
                <p class="meta">{td_string!(locale, offers.card.provider, provider = offer.provider.clone()).to_string()}</p>
                <p class="need-story">{offer.description.clone()}</p>
                <SlotList slots=offer.slots.clone()/>
            </article>
        </li>
    }
}

#[component]
fn SlotList(slots: Vec<Slot>) -> impl IntoView {
    view! {
        <ul class="slots">
            {slots
                .into_iter()
                .map(|slot| {
                    let free = slot.free();
                    view! {
                        <li class="slot" data-slot-id=slot.id data-free=free>
                            <time datetime=slot.starts_at.0.to_string()>{slot.when()}</time>
                            " · "
                            <span class="places">{Slot::places_text(slot.booked, slot.places)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// `/offers/{id}`: one offer. A volunteer of a town it serves books a household of their town
/// here and records what came of their town's bookings.
#[component]
pub fn OfferDetailPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let book = ServerAction::<BookService>::new();
    let record = ServerAction::<RecordBooking>::new();
    let page = Resource::new(
        move || (book.version().get(), record.version().get()),
        move |_| get_offer(id),
    );
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, offers.detail.title))/>
        <div class="toast-area" role="status" aria-live="polite">
            <Outcome value=book.value() done=td_string!(locale, offers.detail.booked_done) when="booked"/>
            <Outcome value=record.value() done=td_string!(locale, offers.detail.recorded_done) when="recorded"/>
        </div>
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, offers.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(OfferPage { offer, staff, own }) => {
                        let offer_id = offer.id.0;
                        let bookable = offer.slots.iter().any(|s| s.free() > 0);
                        let staff = staff.map(|staff| {
                            let form = (bookable && !staff.households.is_empty()).then(|| {
                                let slots = offer.slots.clone();
                                view! {
                                    <ActionForm action=book attr:class="stack-form" attr:data-testid="book-form">
                                        <input type="hidden" name="offer_id" value=offer_id/>
                                        <label for="book-slot">{td_string!(locale, offers.book.slot)}</label>
                                        <select id="book-slot" name="slot_id" required=true>
                                            {slots
                                                .into_iter()
                                                .filter(|s| s.free() > 0)
                                                .map(|s| view! { <option value=s.id>{td_string!(locale, offers.book.slot_option, when = s.when(), free = s.free()).to_string()}</option> })
                                                .collect_view()}
                                        </select>
                                        <label for="book-household">{td_string!(locale, offers.book.household)}</label>
                                        <select id="book-household" name="household_id" required=true>
                                            {staff
                                                .households
                                                .iter()
                                                .map(|h| view! { <option value=h.id>{h.label.clone()}</option> })
                                                .collect_view()}
                                        </select>
                                        <label for="book-note">{td_string!(locale, offers.book.note)}</label>
                                        <input id="book-note" name="note" maxlength="200"/>
                                        <button type="submit" class="btn-primary">{td_string!(locale, offers.book.submit)}</button>
                                    </ActionForm>
                                }
                            });
                            view! {
                                <section class="panel" data-testid="staff-bookings">
                                    <h2>{td_string!(locale, offers.book.heading)}</h2>
                                    {form}
                                    <BookingList bookings=staff.bookings record back_to=format!("/offers/{offer_id}")/>
                                </section>
                            }
                        });
                        view! {
                            <section class="panel offer-page" data-offer-id=offer_id data-status=offer.status.code()>
                                <p class="work-head">
                                    <span class=format!("window window-{}", offer.window.code())>{crate::city::window_label(offer.window)}</span>
                                    <span class="service-kind">{offer.kind.label()}</span>
                                    <span class="place">{offer.towns.join(td_string!(locale, offers.list_separator))}</span>
                                </p>
                                <h1>{offer.title.clone()}</h1>
                                <p class="meta">{td_string!(locale, offers.detail.provider_status, provider = offer.provider.clone(), status = offer.status.label()).to_string()}</p>
                                <p class="need-story">{offer.description.clone()}</p>
                                <SlotList slots=offer.slots.clone()/>
                                {own.then(|| view! { <p><a href="/my/offers">{td_string!(locale, offers.detail.manage)}</a></p> })}
                                <p class="hint">{td_string!(locale, offers.detail.how_to_book)}</p>
                            </section>
                            {staff}
                        }
                            .into_any()
                    }
                    Err(AppError::OfferNotFound) => view! { <super::NotFound/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Bookings with their family's contact and a form to record what came of each.
#[component]
fn BookingList(
    bookings: Vec<Booking>,
    record: ServerAction<RecordBooking>,
    back_to: String,
) -> impl IntoView {
    let locale = crate::lang::locale();
    if bookings.is_empty() {
        return view! { <p class="empty">{td_string!(locale, offers.bookings.empty)}</p> }
            .into_any();
    }
    view! {
        <ul class="work-list bookings" data-testid="bookings">
            {bookings
                .into_iter()
                .map(|b| {
                    let id = b.id;
                    let back_to = back_to.clone();
                    let form = (b.status == BookingStatus::Booked).then(|| {
                        view! {
                            <ActionForm action=record attr:class="inline-form booking-outcome">
                                <input type="hidden" name="booking_id" value=id/>
                                <input type="hidden" name="back_to" value=back_to/>
                                <label class="visually-hidden" for=format!("outcome-{id}")>{td_string!(locale, offers.bookings.outcome_label)}</label>
                                <select id=format!("outcome-{id}") name="outcome" required=true>
                                    <option value="attended">{td_string!(locale, offers.bookings.attended)}</option>
                                    <option value="absent">{td_string!(locale, offers.bookings.absent)}</option>
                                    <option value="cancelled">{td_string!(locale, offers.bookings.cancel)}</option>
                                </select>
                                <button type="submit" class="btn-secondary">{td_string!(locale, offers.bookings.record)}</button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <li class="work-item booking" data-booking-id=id data-status=b.status.code()>
                            <p class="work-head">
                                <span>{b.slot.when()}</span>
                                <span class="need-state">{b.status.label()}</span>
                            </p>
                            <p>
                                <strong>{b.head_name.clone()}</strong>
                                {format!(" · {} · {} · {}", b.town, b.village, b.phone)}
                            </p>
                            <p class="meta">{td_string!(locale, offers.bookings.address, address = b.address.clone()).to_string()}</p>
                            {(!b.note.is_empty()).then(|| view! { <p class="hint">{td_string!(locale, offers.bookings.note, note = b.note.clone()).to_string()}</p> })}
                            <p class="meta">{td_string!(locale, offers.bookings.booked_by, at = b.booked_at.shanghai_text(), by = b.booked_by.clone(), matched = if b.need_id.is_some() { td_string!(locale, offers.bookings.matched) } else { "" }).to_string()}</p>
                            {form}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// `/offers/new`: a provider's form. It waits for a volunteer's review before it is public.
#[component]
pub fn NewOfferPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, offers.create.title))/>
        <RoleGate allowed=|v| v.has(Role::Provider) refused=td_string!(locale, offers.create.refused)>
            <NewOfferForm/>
        </RoleGate>
    }
}

#[component]
fn NewOfferForm() -> impl IntoView {
    let locale = crate::lang::locale();
    let create = ServerAction::<CreateOffer>::new();
    // The towns this provider may serve: every town for a city-wide provider.
    let mine = signed_in_viewer().and_then(|v| {
        crate::access::towns_for(&v, Role::Provider)
            .map(|t| t.into_iter().map(str::to_owned).collect::<Vec<_>>())
    });
    let towns: Vec<String> = city_towns()
        .into_iter()
        .filter(|town| mine.as_ref().is_none_or(|mine| mine.contains(town)))
        .collect();
    view! {
        <section class="panel">
            <h1>{td_string!(locale, offers.new_offer_button)}</h1>
            <p class="hint">{td_string!(locale, offers.create.hint)}</p>
            <Outcome value=create.value() done=td_string!(locale, offers.create.done)/>
            <ActionForm action=create attr:class="stack-form" attr:data-testid="offer-form">
                <label for="offer-kind">{td_string!(locale, offers.create.kind)}</label>
                <select id="offer-kind" name="offer[kind]" required=true>
                    {ServiceKind::ALL.into_iter().map(|k| view! { <option value=k.code()>{k.label()}</option> }).collect_view()}
                </select>
                <label for="offer-window">{td_string!(locale, offers.create.window)}</label>
                <select id="offer-window" name="offer[window]" required=true>
                    {crate::city::City::current()
                        .windows_on()
                        .into_iter()
                        .map(|w| view! { <option value=w.code() selected=w == Window::Services>{crate::city::window_label(w)}</option> })
                        .collect_view()}
                </select>
                <label for="offer-title">{td_string!(locale, offers.create.title_label)}</label>
                <input id="offer-title" name="offer[title]" required=true maxlength="40"/>
                <label for="offer-description">{td_string!(locale, offers.create.description_label)}</label>
                <textarea id="offer-description" name="offer[description]" rows="4" required=true maxlength="1000"></textarea>
                <fieldset class="choices">
                    <legend>{td_string!(locale, offers.create.towns)}</legend>
                    {towns
                        .into_iter()
                        .enumerate()
                        .map(|(index, town)| {
                            view! {
                                <label>
                                    <input type="checkbox" name=format!("offer[towns][{index}]") value=town.clone()/>
                                    " " {town.clone()}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label for="offer-slots">{td_string!(locale, offers.create.slots)}</label>
                <textarea id="offer-slots" name="offer[slots]" rows="3" required=true></textarea>
                <label for="offer-repeat">{td_string!(locale, offers.create.repeat)}</label>
                <input id="offer-repeat" name="offer[repeat_weeks]" type="number" min="0" max="12" value="0"/>
                <label for="offer-places">{td_string!(locale, offers.create.places)}</label>
                <input id="offer-places" name="offer[places]" type="number" min="1" max="500" required=true/>
                <button type="submit" class="btn-primary">{td_string!(locale, offers.create.submit)}</button>
            </ActionForm>
        </section>
    }
}

/// `/my/offers`: a provider's offers, their status, and who is booked (what they need to
/// deliver: the family's contact and address; never an ID number).
#[component]
pub fn MyOffersPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, offers.mine.title))/>
        <RoleGate allowed=|v| v.has(Role::Provider) refused=td_string!(locale, offers.mine.refused)>
            <MyOffers/>
        </RoleGate>
    }
}

#[component]
fn MyOffers() -> impl IntoView {
    let locale = crate::lang::locale();
    let close = ServerAction::<CloseOffer>::new();
    let record = ServerAction::<RecordBooking>::new();
    let listed = Resource::new(
        move || (close.version().get(), record.version().get()),
        |_| list_my_offers(),
    );
    let created = use_query_map().read_untracked().get("created").is_some();
    view! {
        <div class="toast-area" role="status" aria-live="polite">
            {created.then(|| view! { <p class="form-ok" role="status">{td_string!(locale, offers.create.done)}</p> })}
            <Outcome value=close.value() done=td_string!(locale, offers.mine.closed) when="closed"/>
            <Outcome value=record.value() done=td_string!(locale, offers.detail.recorded_done) when="recorded"/>
        </div>
        <section class="panel">
            <h1>{td_string!(locale, offers.mine.title)}</h1>
            <p><a class="btn-primary" href="/offers/new">{td_string!(locale, offers.new_offer_button)}</a></p>
            <p class="privacy-note">{td_string!(locale, offers.mine.privacy)}</p>
        </section>
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, offers.loading)}</p> }>
            {move || Suspend::new(async move {
                match listed.await {
                    Ok(own) if own.is_empty() => view! { <p class="empty">{td_string!(locale, offers.mine.empty)}</p> }.into_any(),
                    Ok(own) => view! {
                        <ul class="work-list" data-testid="my-offers">
                            {own.into_iter().map(|o| view! { <OwnOfferItem own=o close record/> }).collect_view()}
                        </ul>
                    }
                        .into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OwnOfferItem(
    own: OwnOffer,
    close: ServerAction<CloseOffer>,
    record: ServerAction<RecordBooking>,
) -> impl IntoView {
    let OwnOffer {
        offer,
        review_note,
        bookings,
    } = own;
    let locale = crate::lang::locale();
    let id = offer.id.0;
    let closable = offer.status != OfferStatus::Closed;
    view! {
        <li class="work-item" id=format!("offer-{id}") data-offer-id=id data-status=offer.status.code()>
            <p class="work-head">
                <span class="service-kind">{offer.kind.label()}</span>
                <span class="place">{offer.towns.join(td_string!(locale, offers.list_separator))}</span>
                <span class="need-state">{offer.status.label()}</span>
            </p>
            <h2 class="work-title"><a href=format!("/offers/{id}")>{offer.title.clone()}</a></h2>
            {(offer.status == OfferStatus::Returned && !review_note.is_empty())
                .then(|| view! { <p class="aid-warning">{td_string!(locale, offers.mine.returned, note = review_note.clone()).to_string()}</p> })}
            <SlotList slots=offer.slots.clone()/>
            <BookingList bookings record back_to="/my/offers".to_owned()/>
            {closable.then(|| view! {
                <ActionForm action=close attr:class="inline-form">
                    <input type="hidden" name="offer_id" value=id/>
                    <button type="submit" class="btn-secondary">{td_string!(locale, offers.mine.close)}</button>
                </ActionForm>
            })}
        </li>
    }
}

/// `/review/offers`: offers awaiting a volunteer of a town they serve.
#[component]
pub fn ReviewOffersPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, offers.review.title))/>
        <RoleGate allowed=|v| v.has(Role::Volunteer) refused=td_string!(locale, offers.review.refused)>
            <OfferReviews/>
        </RoleGate>
    }
}

#[component]
fn OfferReviews() -> impl IntoView {
    let locale = crate::lang::locale();
    let decide = ServerAction::<DecideOffer>::new();
    let listed = Resource::new(move || decide.version().get(), |_| list_offers_for_review());
    view! {
        <div class="toast-area" role="status" aria-live="polite">
            <Outcome value=decide.value() done=td_string!(locale, offers.review.decided) when="decided"/>
        </div>
        <h1 class="page-title">{td_string!(locale, offers.review.title)}</h1>
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, offers.loading)}</p> }>
            {move || Suspend::new(async move {
                match listed.await {
                    Ok(items) => {
                        let empty = items.is_empty();
                        view! {
                            <section class="panel">
                                <p class="hint">{td_string!(locale, offers.review.hint)}</p>
                                {empty.then(|| view! { <p class="empty">{td_string!(locale, offers.review.empty)}</p> })}
                                <ul class="work-list" data-testid="offers-to-review">
                                    {items
                                        .into_iter()
                                        .map(|item| {
                                            let offer = item.offer;
                                            let id = offer.id.0;
                                            view! {
                                                <li class="work-item" data-offer-id=id>
                                                    <p class="work-head">
                                                        <span class=format!("window window-{}", offer.window.code())>{crate::city::window_label(offer.window)}</span>
                                                        <span class="service-kind">{offer.kind.label()}</span>
                                                        <span class="place">{offer.towns.join(td_string!(locale, offers.list_separator))}</span>
                                                    </p>
                                                    <h2 class="work-title">{offer.title.clone()}</h2>
                                                    <p class="meta">{td_string!(locale, offers.card.provider, provider = offer.provider.clone()).to_string()}</p>
                                                    <p class="need-story">{offer.description.clone()}</p>
                                                    <SlotList slots=offer.slots.clone()/>
                                                    <ActionForm action=decide attr:class="inline-form">
                                                        <input type="hidden" name="offer_id" value=id/>
                                                        <input type="hidden" name="decision" value="approve"/>
                                                        <button type="submit" class="btn-primary">{td_string!(locale, offers.review.approve)}</button>
                                                    </ActionForm>
                                                    <details class="return">
                                                        <summary class="btn-secondary">{td_string!(locale, offers.review.return_button)}</summary>
                                                        <ActionForm action=decide attr:class="stack-form">
                                                            <input type="hidden" name="offer_id" value=id/>
                                                            <input type="hidden" name="decision" value="return"/>
                                                            <label for=format!("offer-note-{id}")>{td_string!(locale, offers.review.return_reason)}</label>
                                                            <textarea id=format!("offer-note-{id}") name="note" rows="2" maxlength="300" required=true></textarea>
                                                            <button type="submit" class="btn-secondary">{td_string!(locale, offers.review.return_submit)}</button>
                                                        </ActionForm>
                                                    </details>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
