//! `/signin` and `/signup`: a phone number and a password, then back to where the person was
//! (`?next=`, a path on this site). Plain form posts: the server sets the cookie and redirects;
//! a refusal comes back in the address and shows beside the form.

use crate::components::session::Outcome;
use crate::functions::accounts::{SignIn, SignUp};
use crate::people::local_path;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn next_path() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| local_path(&query.read().get("next").unwrap_or_default()))
}

#[component]
pub fn SignInPage() -> impl IntoView {
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
            <h1>"登录"</h1>
            <ActionForm action attr:class="stack-form">
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="signin-phone">"手机号"</label>
                <input id="signin-phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" required/>
                <label for="signin-password">"密码"</label>
                <input id="signin-password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit" class="btn-primary">"登录"</button>
                <Outcome value=action.value() done="登录成功，正在返回…"/>
            </ActionForm>
            <p class="switch">"还没有账号？" <a href=signup_href>"注册（只要手机号和密码）"</a></p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
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
            <h1>"注册爱心账号"</h1>
            <p class="hint">"注册后即可认领需求。手机号只提供给协调志愿者，不会公开。"</p>
            <ActionForm action attr:class="stack-form">
                <input type="hidden" name="next" value=move || next.get()/>
                <label for="signup-phone">"手机号（用于登录）"</label>
                <input id="signup-phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" required/>
                <label for="signup-name">"称呼或单位名称"</label>
                <input id="signup-name" name="name" maxlength="30" autocomplete="name" placeholder="如：王先生、某某公司" required/>
                <fieldset class="choice">
                    <legend>"以什么身份捐助"</legend>
                    <label><input type="radio" name="kind" value="person" checked/>"个人"</label>
                    <label><input type="radio" name="kind" value="organisation"/>"单位或组织"</label>
                </fieldset>
                <label for="signup-password">"设置密码（至少 8 位）"</label>
                <input id="signup-password" name="password" type="password" minlength="8" autocomplete="new-password" required/>
                <button type="submit" class="btn-primary">"注册并登录"</button>
                <Outcome value=action.value() done="注册成功，正在返回…"/>
            </ActionForm>
            <p class="switch">"已有账号？" <a href=signin_href>"直接登录"</a></p>
        </section>
    }
}
