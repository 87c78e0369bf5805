import { expect, test } from "@playwright/test";
import { claimElsewhere, needAt } from "./helpers";

// A need's page open in one browser goes live: claimed elsewhere, it says so at once.
test("a need's open page says it is claimed the moment another donor claims it", async ({ browser, baseURL }) => {
  const watcherContext = await browser.newContext({ baseURL });
  const watcher = await watcherContext.newPage();
  await watcher.goto("/");
  const count = await watcher.locator("li.need").count();
  const need = await needAt(watcher, Math.max(0, count - 2));
  await watcher.goto(`/needs/${need.id}`);
  await expect(watcher.locator('.need-live[data-live="on"]')).toHaveCount(1, { timeout: 10_000 });
  const navigations: string[] = [];
  watcher.on("framenavigated", (frame) => navigations.push(frame.url()));
  const other = await browser.newContext({ baseURL });
  const claimedAt = Date.now();
  await claimElsewhere(other.request, baseURL!, need.id);
  await expect(watcher.getByTestId("need-status")).toContainText("已被爱心人士认领", { timeout: 3_000 });
  console.log(`claim -> need page updated: ${Date.now() - claimedAt} ms`);
  await expect(watcher.locator("details.claim")).toHaveCount(0);
  expect(navigations, "the page did not reload").toEqual([]);
});
