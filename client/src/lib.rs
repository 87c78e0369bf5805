//! The hydrate entry: the browser takes over the islands of the server-rendered page (the live
//! board, the live impact figures); everything else stays plain HTML.

// Linked for its islands: each `#[island]` is exported to JavaScript from the app crate, and
// nothing else here names that crate.
extern crate wanshan_app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Marks the page as taken over: the end2end tests wait for it before typing.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
