import { expect, test, type Browser, type Page } from "@playwright/test";
import { needAt, openClaim, signInAs, signUpDonor, submitClaim, waitForHydration, waitUntilLive } from "./helpers";

// Closing the loop in browsers: a donor claims, sees whom to contact, marks the claim
// delivered with a photo; the coordinating volunteer checks it and prints the family's code;
// the family, on a phone of their own with no account, confirms with it and thanks the donor;
// the public impact board, open in another browser, counts one more need fulfilled without a
// reload; the donor sees the family's words and prints a certificate.

const VOLUNTEER = "13900000001"; // 志愿者小王, who entered the demo needs

// A 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII=",
  "base64",
);

async function open(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  return context.newPage();
}

test("claim, deliver with a photo, confirm: the impact board changes live", async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const impact = await open(browser, baseURL!);
  await impact.goto("/impact");
  await waitUntilLive(impact);
  const fulfilledBefore = Number(await impact.getByTestId("fulfilled").textContent());
  const navigations: string[] = [];
  impact.on("framenavigated", (frame) => navigations.push(frame.url()));

  // The donor claims the first need on the board and is told whom to contact.
  const donor = await open(browser, baseURL!);
  await signUpDonor(donor, "送达测试人");
  await donor.goto("/");
  await waitUntilLive(donor);
  const need = await needAt(donor, 0);
  await openClaim(donor, need.id);
  await submitClaim(donor, need.id);
  await expect(donor.getByTestId("claim-outcome")).toContainText(`协调志愿者：志愿者小王 ${VOLUNTEER}`);

  // My claims: the coordinator again, then delivery with a note and a photo.
  await donor.goto("/my/claims");
  await waitForHydration(donor);
  const item = donor.getByTestId("my-claims").locator("li", { hasText: need.title });
  await expect(item).toHaveAttribute("data-status", "open");
  await expect(item.locator(".coordinator")).toContainText(VOLUNTEER);
  await item.getByText("登记已送达").click();
  await item.getByLabel("送达说明").fill("已把费用交到家属手中，家属签收");
  await item.getByLabel(/照片/).setInputFiles({ name: "receipt.png", mimeType: "image/png", buffer: PNG });
  await item.getByRole("button", { name: "提交送达" }).click();
  await expect(donor.getByRole("status").first()).toContainText("已登记送达");
  await expect(donor.getByTestId("my-claims").locator("li", { hasText: need.title })).toHaveAttribute(
    "data-status",
    "delivered",
  );

  // The coordinating volunteer sees the delivery and its photo, and confirms it.
  const volunteer = await open(browser, baseURL!);
  await signInAs(volunteer, VOLUNTEER);
  await volunteer.goto("/review");
  await waitForHydration(volunteer);
  const delivery = volunteer.getByTestId("deliveries").locator("li", { hasText: need.title });
  await expect(delivery).toContainText("已把费用交到家属手中");
  const photo = await volunteer.request.get(
    (await delivery.getByRole("link", { name: "查看送达照片" }).getAttribute("href"))!,
  );
  expect(photo.status()).toBe(200);
  expect(photo.headers()["content-type"]).toBe("image/png");
  await delivery.getByRole("button", { name: "核实已送达，生成家庭确认码" }).click();
  // The slip shows the code once.
  await expect(volunteer).toHaveURL(/\/review\/slips\/\d+$/);
  const code = (await volunteer.getByTestId("family-code").textContent())!.trim();
  expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  await volunteer.reload();
  await expect(volunteer.getByTestId("code-shown")).toBeVisible();
  await expect(volunteer.getByTestId("family-code")).toHaveCount(0);
  await donor.goto("/my/claims");
  await expect(donor.getByTestId("awaiting-family")).toBeVisible();

  // The family, on a phone of their own, with no account.
  const family = await browser.newContext({ baseURL, viewport: { width: 360, height: 740 }, isMobile: true });
  const familyPage = await family.newPage();
  await familyPage.goto("/thanks");
  // A wrong code first: refused, in plain words.
  await familyPage.getByLabel(/确认码/).fill("2345-2345");
  await familyPage.getByLabel("我家已收到这份帮助").check();
  await familyPage.getByRole("button", { name: "确认收到" }).click();
  await expect(familyPage.getByRole("alert")).toContainText("确认码不对");
  await familyPage.getByLabel(/确认码/).fill(code.toLowerCase());
  await familyPage.getByLabel("我家已收到这份帮助").check();
  await familyPage.getByLabel(/想对爱心人士说的话/).fill("谢谢您，孩子的药买上了！");
  await familyPage.getByLabel(/可以公开显示/).check();
  const confirmedAt = Date.now();
  await familyPage.getByRole("button", { name: "确认收到" }).click();
  await expect(familyPage.getByTestId("thanks-done")).toBeVisible();

  // The impact board, untouched, counts it.
  await expect(impact.getByTestId("fulfilled")).toHaveText(String(fulfilledBefore + 1), { timeout: 3_000 });
  console.log(`family's confirmation -> impact board updated: ${Date.now() - confirmedAt} ms`);
  expect(navigations, "the impact board did not reload").toEqual([]);
  // The need's page shows the family's public words.
  await familyPage.getByRole("link", { name: "查看这条需求的页面" }).click();
  await expect(familyPage.getByTestId("timeline")).toContainText("谢谢您，孩子的药买上了！");
  await expect(familyPage.getByTestId("need-status")).toContainText("已完成");

  // The donor sees the thanks, and prints a certificate that is plainly no tax receipt.
  await donor.goto("/my/claims");
  const done = donor.getByTestId("my-claims").locator("li", { hasText: need.title });
  await expect(done).toHaveAttribute("data-status", "confirmed");
  await expect(done.getByTestId("family-thanks")).toContainText("谢谢您，孩子的药买上了！");
  await done.getByRole("link", { name: /爱心认领凭证/ }).click();
  await expect(donor.getByTestId("certificate")).toContainText(need.title);
  await expect(donor.getByTestId("not-a-receipt")).toContainText("不是捐赠票据");
  await donor.goto("/my/claims");
  await expect(donor.getByTestId("my-balance")).toHaveText("10 分");
});

test("a money need pledged in part stays on every board showing what is left", async ({ browser, baseURL }) => {
  const watcher = await open(browser, baseURL!);
  await watcher.goto("/?window=education");
  await waitUntilLive(watcher);
  const donor = await open(browser, baseURL!);
  await signUpDonor(donor, "部分认捐人");
  await donor.goto("/?window=education");
  await waitUntilLive(donor);
  // The first money need on the education board.
  const card = donor.locator("li.need", { has: donor.locator(".amount") }).first();
  const id = (await card.getAttribute("data-need-id"))!;
  await card.getByText("我来认领").click();
  await card.getByLabel(/认捐金额/).fill("100");
  await card.getByRole("button", { name: "确认认领" }).click();
  await expect(donor.getByTestId("claim-outcome")).toContainText("认捐 ¥100");
  for (const page of [donor, watcher]) {
    const shown = page.locator(`li.need[data-need-id="${id}"] .amount`);
    await expect(shown).toContainText("还需", { timeout: 2_000 });
  }
});
