//! `/admin`: give people roles (and the town a role is bound to), and import other agencies'
//! aid records by CSV.

use crate::components::session::{Outcome, RoleGate, TownSelect};
use crate::domain::DeadLetters;
use crate::functions::accounts::{list_accounts, AssignRole};
use crate::functions::aid::ImportAid;
use crate::functions::notices::{list_dead_letters, RetryDeadLetters};
use crate::people::Role;
use leptos::prelude::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <RoleGate allowed=|v| v.has(Role::Admin) refused="这里只有管理员可以使用。">
            <AdminDesk/>
        </RoleGate>
    }
}

#[component]
fn AdminDesk() -> impl IntoView {
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
                format!("已导入 {imported} 条记录，其中 {matched} 条对应本平台已登记的家庭。")
            })
    };
    view! {
        <section class="panel">
            <h1>"角色与权限"</h1>
            <ActionForm action=assign attr:class="stack-form" attr:data-testid="assign-role">
                <label for="role-phone">"账号手机号"</label>
                <input id="role-phone" name="phone" type="tel" inputmode="numeric" required/>
                <label for="role-role">"角色"</label>
                <select id="role-role" name="role">
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                </select>
                <label for="role-town">"负责的镇（街道）（审核员必填；志愿者留空表示全市）"</label>
                <TownSelect id="role-town" name="town" everywhere=Some("全市（不限镇）")/>
                <label class="inline"><input type="checkbox" name="revoke" value="true"/>"取消这个角色"</label>
                <button type="submit" class="btn-primary">"保存"</button>
                <Outcome value=assign.value() done="已保存。" when="assigned"/>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let accounts = accounts.await.unwrap_or_default();
                    view! {
                        <table class="accounts">
                            <thead><tr><th>"账号"</th><th>"手机号"</th><th>"角色"</th></tr></thead>
                            <tbody>
                                {accounts
                                    .into_iter()
                                    .map(|a| {
                                        let roles = a.roles.iter().map(|g| g.label()).collect::<Vec<_>>().join("、");
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
            <h2>"导入其他机构的帮扶记录"</h2>
            <p class="hint">
                "CSV（UTF-8），第一行为表头：身份证号,机构,窗口,事由,日期,金额。窗口写 助医、助学、助残、家居微改善、助保险 或 服务与文化；日期如 2026-03-15；金额单位为元，可留空。任何一行有错，整个文件都不导入，并列出每一行的问题。身份证号只用于匹配家庭，不会保存原文。"
            </p>
            <ActionForm action=import attr:class="stack-form" attr:data-testid="import-aid">
                <label for="import-csv">"把 CSV 内容粘贴在这里"</label>
                <textarea id="import-csv" name="csv" rows="8" required></textarea>
                <button type="submit" class="btn-primary">"导入"</button>
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
            <h2>"对接机构"</h2>
            <p>"民政、残联、慈善会等机构通过数据交换接口查询和录入帮扶记录："<a href="/admin/agencies">"管理机构与密钥"</a>" · "<a href="/admin/api-log">"调用日志"</a>" · "<a href="/api/v1/docs">"接口文档"</a></p>
        </section>
        <DeadLetterDesk/>
    }
}

/// Messages the outbox gave up on after every try: which kind, to whom, what the gateway said
/// last; one button sends them all again.
#[component]
fn DeadLetterDesk() -> impl IntoView {
    let retry = ServerAction::<RetryDeadLetters>::new();
    let letters = Resource::new(move || retry.version().get(), |_| list_dead_letters());
    view! {
        <section class="panel" id="dead-letters">
            <h2>"发送失败的通知"</h2>
            <Outcome value=retry.value() done="已重新排队发送。" when="retried"/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let DeadLetters { letters, total } = letters.await.unwrap_or_default();
                    if total == 0 {
                        return view! { <p class="empty" data-testid="dead-letters">"没有发送失败的通知。"</p> }.into_any();
                    }
                    view! {
                        <p data-testid="dead-letters" data-total=total>{format!("共 {total} 条多次发送失败（站内通知不受影响）。")}</p>
                        <table class="accounts">
                            <thead><tr><th>"时间"</th><th>"通知"</th><th>"收件人"</th><th>"次数"</th><th>"最后的错误"</th></tr></thead>
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
                            <button type="submit" class="btn-secondary">"全部重新发送"</button>
                        </ActionForm>
                    }
                        .into_any()
                })}
            </Suspense>
        </section>
    }
}
