import { expect, test } from "@playwright/test";
import { signInAs } from "./helpers";

// Volunteer hours (志愿服务时长) as server-rendered pages with plain forms: they work with
// JavaScript off too. A volunteer records an activity, the town's council reviewer confirms it
// in another browser, and the volunteer sees the hours and opens the printable record, whose
// code the public verification page accepts showing the name masked.

const VOLUNTEER = "13900000001"; // 志愿者小王, volunteer for every town
const REVIEWER = "13900000003"; // 延陵镇议事小组

test("a volunteer records hours, a reviewer confirms them, the volunteer prints the record", async ({ page, browser, baseURL }) => {
  await signInAs(page, VOLUNTEER);
  await page.goto("/");
  await page.getByRole("link", { name: "志愿时长" }).click();
  await expect(page).toHaveURL(/\/my\/hours$/);

  const note = `e2e 陪同复诊 ${Date.now() % 1_000_000}`;
  const form = page.getByTestId("record-hours-form");
  await form.getByLabel("服务类型").selectOption("service_session");
  await form.getByLabel("镇（街道）").selectOption("延陵镇");
  await form.getByLabel(/^时长/).fill("1.5");
  await form.getByLabel(/^说明/).fill(note);
  await form.getByRole("button", { name: "登记" }).click();
  await expect(page).toHaveURL(/\/my\/hours\?recorded=\d+/);
  await expect(page.getByRole("status").first()).toContainText("已登记，等待本镇协调人确认。");
  const id = new URL(page.url()).searchParams.get("recorded") ?? "";
  const mine = page.locator(`li.hours-item[data-activity-id="${id}"]`);
  await expect(mine).toHaveAttribute("data-status", "pending");
  await expect(mine).toContainText("1.5 小时");
  await expect(mine).toContainText(note);

  // The town's council reviewer, in their own browser, confirms it.
  const reviewerContext = await browser.newContext({ baseURL });
  const reviewer = await reviewerContext.newPage();
  await signInAs(reviewer, REVIEWER);
  await reviewer.goto("/review/hours");
  const pending = reviewer.locator(`li.hours-item[data-activity-id="${id}"]`);
  await expect(pending).toContainText("志愿者小王");
  await expect(pending).toContainText(note);
  await pending.getByRole("button", { name: "确认", exact: true }).click();
  await expect(reviewer).toHaveURL(new RegExp(`/review/hours\\?confirmed=${id}`));
  await expect(reviewer.getByRole("status").first()).toContainText("已确认");
  await expect(reviewer.locator(`li.hours-item[data-activity-id="${id}"]`)).toHaveCount(0);
  await reviewerContext.close();

  // The volunteer sees it confirmed and counted.
  await page.goto("/my/hours");
  await expect(mine).toHaveAttribute("data-status", "confirmed");
  await expect(mine).toContainText("延陵镇议事小组");
  const minutes = Number(await page.getByTestId("hours-total").locator("strong").getAttribute("data-minutes"));
  expect(minutes).toBeGreaterThanOrEqual(90);

  // The printable record for this year so far.
  await page.getByTestId("certificate-form").getByRole("button", { name: "开具证明" }).click();
  await expect(page).toHaveURL(/\/my\/hours\/certificate\?from=\d{4}-01-01&to=\d{4}-\d{2}-\d{2}/);
  const certificate = page.getByTestId("hours-certificate");
  await expect(certificate.getByRole("heading", { name: "志愿服务记录证明" })).toBeVisible();
  await expect(page.getByTestId("certificate-name")).toHaveText("志愿者小王");
  await expect(page.getByTestId("certificate-lines")).toContainText("服务活动");
  await expect(page.getByTestId("certificate-lines")).toContainText("延陵镇议事小组");
  const code = ((await certificate.locator(".meta").first().textContent()) ?? "").replace("验证码", "").trim();
  expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);

  // Anyone verifies it: the name masked, the totals.
  const visitorContext = await browser.newContext({ baseURL });
  const visitor = await visitorContext.newPage();
  await visitor.goto(`/hours/verify/${code}`);
  await expect(visitor.getByTestId("verified-name")).toHaveText("志*");
  await expect(visitor.getByTestId("hours-verified")).not.toContainText("志愿者小王");
  await expect(visitor.getByTestId("verified-total")).toContainText("小时");
  await visitorContext.close();
});
