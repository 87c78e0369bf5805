import { expect, test } from "@playwright/test";
import { needAt, needs, signUpDonor, waitForHydration } from "./helpers";

// A need's own page: reached from its board card, server-rendered (so it reads and claims with
// JavaScript off too), with its QR code, share card meta, timeline and poster.

test("a board card opens the need's own page, with its QR code, share card and timeline", async ({ page }) => {
  await page.goto("/");
  const need = await needAt(page, 0);
  await needs(page).first().locator(".need-title a").click();
  await expect(page).toHaveURL(new RegExp(`/needs/${need.id}$`));
  await expect(page.locator("h1.need-title")).toHaveText(need.title);
  await expect(page.getByTestId("need-status")).toHaveText("等待认领");
  await expect(page.getByTestId("timeline").locator('li[data-kind="published"]')).toHaveCount(1);
  // The QR code the server draws, loaded as an image.
  const qr = page.locator(".need-qr img");
  await expect(qr).toBeVisible();
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  // The share card: an absolute address of the page and of the image the server draws.
  await expect(page.locator('meta[property="og:url"]')).toHaveAttribute("content", page.url());
  const image = await page.locator('meta[property="og:image"]').getAttribute("content");
  expect(image).toBe(`${page.url()}/card.png`);
  const card = await page.request.get(image!);
  expect(card.status()).toBe(200);
  expect(card.headers()["content-type"]).toBe("image/png");
  // Without JavaScript the address is there to copy.
  await expect(page.locator(".share-url input")).toHaveValue(page.url());
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, "no sideways scrolling").toBeLessThanOrEqual(0);

  // The poster: the need and its QR code, to print or screenshot.
  await page.getByRole("link", { name: /海报/ }).click();
  await expect(page.getByTestId("poster")).toContainText(need.title);
  await expect
    .poll(() => page.locator(".poster-qr").evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);
});

test("a need that is not public is a not-found page", async ({ page }) => {
  const response = await page.goto("/needs/999999");
  expect(response!.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "页面不存在" })).toBeVisible();
});

test("a donor claims on the need's page, and the page says it is claimed", async ({ page, javaScriptEnabled }) => {
  await signUpDonor(page, "需求页认领人");
  await page.goto("/");
  // A need nobody else is about to claim: the last one listed.
  const count = await needs(page).count();
  const need = await needAt(page, count - 1);
  await page.goto(`/needs/${need.id}`);
  if (javaScriptEnabled) await waitForHydration(page);
  await page.locator("details.claim summary").click();
  await page.getByRole("button", { name: "确认认领" }).click();
  await expect(page.getByTestId("claim-outcome")).toContainText("认领成功");
  await expect(page.getByTestId("need-status")).toContainText("已被爱心人士认领");
  await expect(page.locator("details.claim")).toHaveCount(0);
  // The page stays, for the donor to show others; the board no longer lists it.
  await page.goto("/");
  await expect(page.locator(`li.need[data-need-id="${need.id}"]`)).toHaveCount(0);
  await page.goto(`/needs/${need.id}`);
  await expect(page.getByTestId("timeline").locator('li[data-kind="claimed"]')).toContainText(/匿名爱心人士 认(领|捐)/);
});

test("the leaderboard is linked from the header and the impact page", async ({ page }) => {
  await page.goto("/");
  await page.locator(".site-header").getByRole("link", { name: "积分榜" }).click();
  await expect(page).toHaveURL(/\/credit$/);
  await page.goto("/impact");
  await page.locator("main").getByRole("link", { name: /积分榜/ }).click();
  await expect(page).toHaveURL(/\/credit$/);
});
