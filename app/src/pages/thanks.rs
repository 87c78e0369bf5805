//! The family's side of a delivery: the slip a volunteer prints or reads out
//! (`/review/slips/{claim}`), and `/thanks`, where the family confirms with the code on any
//! phone, without an account.

use crate::components::session::RoleGate;
use crate::functions::claims::show_family_slip;
use crate::functions::thanks::ConfirmReceived;
use crate::people::Role;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/review/slips/{claim}`: the delivery slip with the family's code, shown once.
#[component]
pub fn SlipPage() -> impl IntoView {
    view! {
        <RoleGate allowed=|v| v.has(Role::Volunteer) refused="只有协调志愿者可以打印确认单。">
            <Slip/>
        </RoleGate>
    }
}

#[component]
fn Slip() -> impl IntoView {
    let params = use_params_map();
    let claim_id = params
        .read_untracked()
        .get("claim")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let slip = Resource::new(|| (), move |_| show_family_slip(claim_id));
    let thanks_url = crate::share::page_url("/thanks");
    view! {
        <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
            {move || {
                let thanks_url = thanks_url.clone();
                Suspend::new(async move {
                    match slip.await {
                        Ok(slip) => view! {
                            <section class="panel slip" data-testid="slip">
                                <h1>"爱心帮扶送达确认单"</h1>
                                <p class="work-head">
                                    <span class=format!("window window-{}", slip.window.code())>{crate::city::window_label(slip.window)}</span>
                                </p>
                                <p class="work-title">{slip.title.clone()}</p>
                                {slip.amount.map(|a| view! { <p class="meta">{format!("认捐 {a}")}</p> })}
                                {match slip.code.clone() {
                                    Some(code) => view! {
                                        <p>"家庭确认码（只显示这一次，请打印、截图或抄在送达单上）："</p>
                                        <p class="family-code" data-testid="family-code">{code}</p>
                                        <p class="hint">
                                            {format!("请家庭在任意手机上打开 {thanks_url} ，输入确认码，确认已收到帮助，还可以给爱心人士留言。确认码 {} 前有效，只能用一次。", slip.expires_at.shanghai_text())}
                                        </p>
                                    }.into_any(),
                                    None => view! {
                                        <p class="warning" data-testid="code-shown">
                                            "这张确认单的确认码已经显示过一次，不再显示。如果遗失，请回到审核页重新生成（旧码随即作废）。"
                                        </p>
                                    }.into_any(),
                                }}
                                <p class="print-hide"><a href="/review">"回到审核页"</a></p>
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
    let confirm = ServerAction::<ConfirmReceived>::new();
    let query = use_query_map();
    let done =
        move || query.read().get("done").is_some() || matches!(confirm.value().get(), Some(Ok(_)));
    view! {
        <section class="panel thanks">
            <h1>"确认收到帮助"</h1>
            <Show
                when=done
                fallback=move || view! {
                    <p>"志愿者送来帮助时，会给您一个确认码。请在这里输入，确认您家已经收到；也可以给爱心人士留一句话。不需要注册。"</p>
                    <ActionForm action=confirm attr:class="stack-form" attr:data-testid="thanks-form">
                        <ThanksError confirm/>
                        <label for="thanks-code">"确认码（8 位，如 K7P4-9XQ2）"</label>
                        <input id="thanks-code" name="code" required autocomplete="one-time-code" autocapitalize="characters" maxlength="20" inputmode="text"/>
                        <label class="check">
                            <input type="checkbox" name="received" value="on" required/>
                            " 我家已收到这份帮助"
                        </label>
                        <label for="thanks-message">"想对爱心人士说的话（可不填，200 字以内，请不要写电话、身份证号、住址）"</label>
                        <textarea id="thanks-message" name="message" rows="3" maxlength="200"></textarea>
                        <label class="check">
                            <input type="checkbox" name="public" value="on"/>
                            " 这句话可以公开显示在需求页面上（不显示您的姓名）"
                        </label>
                        <button type="submit" class="btn-primary">"确认收到"</button>
                    </ActionForm>
                }
            >
                <p class="form-ok" role="status" data-testid="thanks-done">
                    "谢谢您！已确认收到。"
                    {move || query.read().get("said").map(|_| "您的话会转达给爱心人士。")}
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
                    need.map(|id| view! { <p><a href=format!("/needs/{id}")>"查看这条需求的页面"</a></p> })
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
    move || {
        let error = confirm.value().get()?.err()?;
        let (field, text) = match &error {
            AppError::Invalid { field, .. } => (
                field.clone(),
                match field.as_str() {
                    "code" => "确认码是 8 位字母和数字，例如 K7P4-9XQ2，请核对后再输入。",
                    "received" => "请勾选“我家已收到这份帮助”。",
                    "message" => "留言最多 200 字，且不能写电话号码或身份证号。",
                    _ => "填写的内容有误，请检查后再提交。",
                }
                .to_owned(),
            ),
            AppError::WrongCode | AppError::CodeLocked | AppError::CodeSpent | AppError::Busy => {
                (String::new(), error.to_string())
            }
            _ => (String::new(), "没有提交成功，请稍后再试。".to_owned()),
        };
        Some(view! {
            <p class="form-error" role="alert" data-code=error.code() data-field=field>{text}</p>
        })
    }
}
