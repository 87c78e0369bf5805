//! Bar charts drawn as SVG by the app itself: nothing fetched from anywhere, readable on a
//! 360 px phone (horizontal bars, labels inside the drawing, scaled with the viewBox).

use crate::impact::Tally;
use leptos::prelude::*;
use leptos_i18n::td_string;

const WIDTH: i64 = 340;
const LABEL: i64 = 92;
const ROW: i64 = 26;

/// One row per tally: a light bar for needs published and a strong bar, over it, for those
/// fulfilled, both scaled to the largest published count.
#[component]
pub fn BarChart(#[prop(into)] title: String, tallies: Vec<Tally>) -> impl IntoView {
    let most = tallies
        .iter()
        .map(|t| t.published)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * tallies.len() as i64 + 8;
    let span = WIDTH - LABEL - 40;
    let rows = tallies
        .into_iter()
        .enumerate()
        .map(|(index, tally)| {
            let y = 4 + ROW * index as i64;
            let published = span * tally.published / most;
            let fulfilled = span * tally.fulfilled / most;
            view! {
                <g>
                    <text x=LABEL - 6 y=y + 16 text-anchor="end" class="chart-label">{tally.label.clone()}</text>
                    <rect x=LABEL y=y + 3 width=published.max(1) height=ROW - 8 class="bar-published" rx="3"/>
                    <rect x=LABEL y=y + 3 width=fulfilled height=ROW - 8 class="bar-fulfilled" rx="3"/>
                    <text x=LABEL + published + 4 y=y + 16 class="chart-value">
                        {format!("{}/{}", tally.fulfilled, tally.published)}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                width="100%"
                role="img"
                aria-label=td_string!(crate::lang::locale(), impact.chart_aria, title = title.clone()).to_string()
                xmlns="http://www.w3.org/2000/svg"
            >
                {rows}
            </svg>
        </figure>
    }
}
