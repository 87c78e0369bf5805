import { expect, test } from "@playwright/test";
import { needs } from "./helpers";

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
