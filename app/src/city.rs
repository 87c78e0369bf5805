//! The city the app serves: its name, its brand and its help windows (which are on, and what
//! they are called). Read from the city's configuration file by the server, handed to pages
//! through context (and to islands as a prop); Danyang's when nothing says otherwise.

use crate::domain::Window;
use leptos::prelude::*;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// What the public sees of the city's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct City {
    /// The city's name (`丹阳`).
    pub name: String,
    /// The brand the site, its titles, posters, certificates and share cards carry (`万善丹阳`).
    pub brand: String,
    /// What follows the brand in the header and the home page's title (`爱心需求`).
    pub brand_line: String,
    /// One entry per window, in `Window::ALL`'s order.
    pub windows: [WindowSetting; 6],
}

/// One help window as the city runs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowSetting {
    pub window: Window,
    /// Off: hidden from every form and filter, and refused when a need or an offer is made;
    /// what was made before stays readable.
    pub on: bool,
    /// The name people know the window by.
    pub label: String,
}

impl Default for City {
    /// Danyang's, as the app was built for it.
    fn default() -> City {
        City {
            name: "丹阳".into(),      // i18n-allow: the default city's configured name (data)
            brand: "万善丹阳".into(), // i18n-allow: the default city's configured brand (data)
            brand_line: "爱心需求".into(), // i18n-allow: the default city's configured line (data)
            // A city's labels are Chinese, as its configuration writes them.
            windows: Window::ALL.map(|window| WindowSetting {
                window,
                on: true,
                label: window.label_in(crate::lang::Locale::zh_CN).to_owned(),
            }),
        }
    }
}

impl City {
    /// The city of the page being rendered: from context, else the default. Pages are rendered
    /// on the server, where the server provides it; an island gets it as a prop and provides it.
    pub fn current() -> City {
        use_context::<City>().unwrap_or_default()
    }

    /// The window's name in this city, in the reader's language: the name the city gave it
    /// in Chinese (a city's configured label is Chinese text), the built-in English name in
    /// English.
    pub fn label(&self, window: Window) -> String {
        self.label_in(window, crate::lang::locale())
    }

    /// The window's name in this city, in `locale` (see [`City::label`]).
    pub fn label_in(&self, window: Window, locale: crate::lang::Locale) -> String {
        match locale {
            crate::lang::Locale::zh_CN => self.setting(window).label.clone(),
            _ => window.label_in(locale).to_owned(),
        }
    }

    pub fn is_on(&self, window: Window) -> bool {
        self.setting(window).on
    }

    /// The windows that are on, in their usual order.
    pub fn windows_on(&self) -> Vec<Window> {
        self.windows
            .iter()
            .filter(|setting| setting.on)
            .map(|setting| setting.window)
            .collect()
    }

    /// `Invalid` on `window` when the city has switched the window off: nothing new is made in it.
    pub fn check_window(&self, window: Window) -> Result<(), crate::error::AppError> {
        if self.is_on(window) {
            Ok(())
        } else {
            Err(crate::error::AppError::invalid(
                "window",
                td_string!(
                    crate::lang::locale(),
                    errors.city.window_off,
                    window = self.label(window)
                )
                .to_string(),
            ))
        }
    }

    /// The windows' names in `Window::ALL`'s order, in the reader's language (see
    /// [`City::label`]).
    pub fn window_names(&self) -> Vec<String> {
        self.windows
            .iter()
            .map(|setting| self.label(setting.window))
            .collect()
    }

    /// This city with the windows' names in `Window::ALL`'s order (as `window_names` gave them).
    pub fn with_window_names(mut self, names: Vec<String>) -> City {
        for (setting, name) in self.windows.iter_mut().zip(names) {
            setting.label = name;
        }
        self
    }

    /// A page's title: `what · brand`.
    pub fn title(&self, what: &str) -> String {
        format!("{what} · {}", self.brand)
    }

    /// The brand with its line: `万善丹阳 · 爱心需求`.
    pub fn full_brand(&self) -> String {
        format!("{} · {}", self.brand, self.brand_line)
    }

    fn setting(&self, window: Window) -> &WindowSetting {
        self.windows
            .iter()
            .find(|setting| setting.window == window)
            .expect("every window has a setting")
    }
}

/// The window's name in the city of the page being rendered.
pub fn window_label(window: Window) -> String {
    City::current().label(window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_city_is_danyang_with_every_window_on_under_its_usual_name() {
        let city = City::default();
        assert_eq!(city.full_brand(), "万善丹阳 · 爱心需求");
        assert_eq!(city.windows_on(), Window::ALL.to_vec());
        for window in Window::ALL {
            assert_eq!(city.label(window), window.label());
            assert!(city.check_window(window).is_ok());
        }
    }

    #[test]
    fn in_english_a_window_has_its_english_name_whatever_the_city_calls_it() {
        use crate::lang::Locale;
        let mut city = City::default();
        city.windows[0].label = "医疗帮扶".into();
        assert_eq!(city.label_in(Window::Medical, Locale::zh_CN), "医疗帮扶");
        assert_eq!(city.label_in(Window::Medical, Locale::en), "Medical");
        let owner = Owner::new();
        owner.with(|| {
            crate::lang::provide_locale(Locale::en);
            assert_eq!(city.label(Window::Medical), "Medical");
            assert_eq!(city.window_names()[0], "Medical");
            assert_eq!(city.window_names()[3], "Home improvement");
        });
        assert_eq!(city.window_names()[0], "医疗帮扶");
    }

    #[test]
    fn a_window_switched_off_is_refused_on_the_window_field() {
        let mut city = City::default();
        city.windows[1].on = false;
        city.windows[0].label = "医疗帮扶".into();
        assert_eq!(city.label(Window::Medical), "医疗帮扶");
        let names = City::default().with_window_names(city.window_names());
        assert_eq!(names.label(Window::Medical), "医疗帮扶");
        assert!(!city.windows_on().contains(&Window::Education));
        let error = city.check_window(Window::Education).unwrap_err();
        assert!(format!("{error:?}").contains("window"), "{error:?}");
    }
}
