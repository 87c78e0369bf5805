import { expect, test } from "@playwright/test";
import { needAt, needs, waitForHydration } from "./helpers";

// Runs in the phone projects only (see playwright.config.ts).
test("the board fits a 360 px phone and its buttons are thumb-sized", async ({ page, viewport }) => {
  expect(viewport!.width).toBeLessThanOrEqual(400);
  await page.goto("/");
  await expect(needs(page).first()).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, "no sideways scrolling").toBeLessThanOrEqual(0);
  const claim = needs(page).first().getByText("我来认领");
  const box = await claim.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  expect(box!.width).toBeGreaterThan(300);
  const fontSize = await needs(page)
    .first()
    .locator(".need-story")
    .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(fontSize).toBeGreaterThanOrEqual(14);
});

test("the impact board and its charts fit a 360 px phone", async ({ page }) => {
  await page.goto("/impact");
  await expect(page.locator("figure.chart svg").first()).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, "no sideways scrolling").toBeLessThanOrEqual(0);
  const chart = await page.locator("figure.chart svg").first().boundingBox();
  expect(chart!.width).toBeLessThanOrEqual(360);
  expect(chart!.width).toBeGreaterThan(250);
});

test("sharing a need on a 360 px phone opens the phone's share sheet with the page's address", async ({
  page,
  javaScriptEnabled,
}) => {
  test.skip(!javaScriptEnabled, "without JavaScript the address is shown to copy (need.spec.ts)");
  // The phone's share sheet, as the Web Share API gives it, recorded.
  await page.addInitScript(() => {
    const shared: unknown[] = [];
    (window as unknown as { __shared: unknown[] }).__shared = shared;
    Object.defineProperty(navigator, "share", {
      configurable: true,
      value: (data: ShareData) => {
        shared.push({ title: data.title, url: data.url });
        return Promise.resolve();
      },
    });
  });
  await page.goto("/");
  const need = await needAt(page, 0);
  await page.goto(`/needs/${need.id}`);
  await waitForHydration(page);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, "no sideways scrolling").toBeLessThanOrEqual(0);
  const button = page.getByTestId("share");
  const box = await button.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  await button.click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __shared: { title: string; url: string }[] }).__shared))
    .toEqual([{ title: `${need.title} · 万善丹阳`, url: page.url() }]);
});

test("where the browser cannot share, the page's address is copied instead", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "needs JavaScript");
  await page.addInitScript(() => {
    Object.defineProperty(navigator, "share", { configurable: true, value: undefined });
    const copied: string[] = [];
    (window as unknown as { __copied: string[] }).__copied = copied;
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: {
        writeText: (text: string) => {
          copied.push(text);
          return Promise.resolve();
        },
      },
    });
  });
  await page.goto("/");
  const need = await needAt(page, 0);
  await page.goto(`/needs/${need.id}`);
  await waitForHydration(page);
  await page.getByTestId("share").click();
  await expect(page.getByTestId("share-outcome")).toContainText("链接已复制");
  expect(await page.evaluate(() => (window as unknown as { __copied: string[] }).__copied)).toEqual([page.url()]);
});
