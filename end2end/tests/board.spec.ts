import { expect, test } from "@playwright/test";
import { needs } from "./helpers";

// Runs hydrated (desktop, phone) and with JavaScript off: the board must read either way.

test("the board lists open needs by window and town, in Chinese", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle(/万善丹阳/);
  await expect(needs(page).first()).toBeVisible();
  expect(await needs(page).count()).toBeGreaterThan(5);
  const first = needs(page).first();
  await expect(first.locator(".window")).toHaveText(/助医|助学|助残|家居微改善|助保险|服务与文化/);
  // The town only: a village would narrow the family down (the city's public locality is the town).
  await expect(first.locator(".place")).toHaveText(/^\S+(镇|街道|开发区)$/);
  await expect(first.getByText("我来认领")).toBeVisible();
  // Most urgent first: 紧急 before 较急 before 一般.
  const rank = { 紧急: 3, 较急: 2, 一般: 1 } as Record<string, number>;
  const ranks = (await needs(page).locator(".urgency").allTextContents()).map((u) => rank[u]);
  expect(ranks.every((r) => r !== undefined)).toBe(true);
  expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
});

test("choosing a window shows only that window's needs", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "助学", exact: true }).click();
  await expect(page).toHaveURL(/window=education/);
  await expect(needs(page).first()).toBeVisible();
  const windows = await needs(page).evaluateAll((cards) =>
    cards.map((card) => card.getAttribute("data-window")),
  );
  expect(windows.length).toBeGreaterThan(0);
  expect(new Set(windows)).toEqual(new Set(["education"]));
  await expect(page.getByRole("link", { name: "助学", exact: true })).toHaveAttribute(
    "aria-current",
    "page",
  );
});

test("choosing a town shows only that town's needs", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("镇（街道）").selectOption("皇塘镇");
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page).toHaveURL(/town=/);
  await expect(needs(page).first()).toBeVisible();
  const places = await needs(page).locator(".place").allTextContents();
  expect(places.length).toBeGreaterThan(0);
  for (const place of places) expect(place).toContain("皇塘镇");
});
