import { expect, test } from "@playwright/test";
import { freshPhone, needAt, signUpDonor } from "./helpers";

// The inbox and its settings as server-rendered pages (they work with JavaScript off), and
// "有人放弃时提醒我" on a claimed need's page: the watcher hears when it comes back.

test("a donor asks to hear when a claimed need comes back, and does", async ({ page, baseURL, playwright }) => {
  await signUpDonor(page, "关注的人");
  await page.goto("/");
  const need = await needAt(page, 0);
  // Someone else claims it, through their own phone.
  const other = await playwright.request.newContext({ baseURL });
  const signedUp = await other.post("/api/sign_up", {
    form: { phone: freshPhone(), name: "先认领的人", password: "e2e-password" },
  });
  expect(signedUp.status()).toBe(200);
  const claimed = await other.post("/api/claim_need", { form: { need_id: need.id } });
  expect(claimed.status()).toBe(200);
  const claim = (await claimed.json()).claim_id;

  await page.goto(`/needs/${need.id}`);
  const watch = page.getByTestId("watch");
  await watch.getByRole("button", { name: "有人放弃时提醒我" }).click();
  await expect(page).toHaveURL(new RegExp(`/needs/${need.id}\\?watching=1`));
  await expect(page.getByTestId("watch")).toContainText("已关注");

  const released = await other.post("/api/release_claim", { form: { claim_id: String(claim) } });
  expect(released.status()).toBe(200);

  await page.goto("/");
  await expect(page.locator("#unread-count")).toHaveText("1");
  await page.getByTestId("notices-link").click();
  await expect(page).toHaveURL(/\/my\/notices$/);
  const notice = page.getByTestId("notices").locator("li").first();
  await expect(notice).toContainText(need.title);
  await expect(notice).toContainText("重新开放认领");
  await notice.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/needs/${need.id}$`));

  // Mark all read.
  await page.goto("/my/notices");
  await page.getByRole("button", { name: "全部标为已读" }).click();
  await expect(page.getByRole("status").first()).toContainText("已全部标为已读");
  await expect(page.locator("#unread-count")).toHaveText("0");
  await other.dispose();
});

test("notice settings are saved and shown again", async ({ page }) => {
  await signUpDonor(page, "设置的人");
  await page.goto("/my/notices");
  const form = page.getByTestId("notice-prefs");
  await expect(form.getByLabel("我关注的需求重新开放认领")).toBeChecked();
  await expect(page.locator("#quiet_from")).toHaveValue("22:00");
  await form.getByLabel("我关注的需求重新开放认领").uncheck();
  await page.locator("#quiet_from").fill("23:30");
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByRole("status").first()).toContainText("已保存");
  await expect(page.getByTestId("notice-prefs").getByLabel("我关注的需求重新开放认领")).not.toBeChecked();
  await expect(page.locator("#quiet_from")).toHaveValue("23:30");
});
