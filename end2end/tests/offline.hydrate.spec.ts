import { expect, test, type Page } from "@playwright/test";
import { DEMO_PASSWORD, needAt } from "./helpers";

// Installable and kind to bad connections: the manifest and its icons load; the service worker
// keeps the last board and the need pages a reader saw readable offline and says so; it never
// keeps a signed-in person's pages or anything posted.

async function controlledByWorker(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), {
      message: "the service worker controls the page",
      timeout: 10_000,
    })
    .toBe(true);
}

async function keptAddresses(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) urls.push(new URL(request.url).pathname + new URL(request.url).search);
    }
    return urls;
  });
}

test("the manifest names the city and its icons load", async ({ page }) => {
  await page.goto("/");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/manifest.webmanifest");
  const manifest = await (await page.request.get(href!)).json();
  expect(manifest.display).toBe("standalone");
  for (const icon of manifest.icons) {
    const response = await page.request.get(icon.src);
    expect(response.status(), icon.src).toBe(200);
    expect(response.headers()["content-type"]).toBe("image/png");
  }
});

test("the last board and need pages stay readable offline, and say so", async ({ page, context }) => {
  await page.goto("/");
  await controlledByWorker(page);
  // Seen again now that the worker controls the page: kept.
  await page.goto("/");
  const { id, title } = await needAt(page, 0);
  await page.goto(`/needs/${id}`);
  await expect(page.locator("h1")).toContainText(title.trim());
  await expect(page.getByTestId("offline-banner")).toHaveCount(0);

  await context.setOffline(true);
  await page.goto("/");
  await expect(page.getByTestId("offline-banner")).toBeVisible();
  await expect(page.locator(`li.need[data-need-id="${id}"]`)).toBeVisible();
  await page.goto(`/needs/${id}`);
  await expect(page.getByTestId("offline-banner")).toBeVisible();
  await expect(page.locator("h1")).toContainText(title.trim());
  // A page never seen is not made up: the reader is told it was not kept.
  await page.goto("/credit");
  await expect(page.getByTestId("offline-banner")).toBeVisible();

  await context.setOffline(false);
  await page.goto("/");
  await expect(page.getByTestId("offline-banner")).toHaveCount(0);
});

test("on a shared phone, nothing a signed-in person saw is kept, and their visit drops the public copies", async ({ page, context }) => {
  // Someone reads the board and a need signed out: both kept.
  await page.goto("/");
  await controlledByWorker(page);
  await page.goto("/");
  const { id } = await needAt(page, 0);
  await page.goto(`/needs/${id}`);
  expect(await keptAddresses(page)).toEqual(expect.arrayContaining(["/", `/needs/${id}`]));
  // A donor signs in on the same phone and opens the same pages and their claims.
  const signIn = await page.request.post("/api/sign_in", { form: { phone: "13900000009", password: DEMO_PASSWORD } });
  expect(signIn.status()).toBe(200);
  await page.goto("/");
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
  await page.goto(`/needs/${id}`);
  await page.goto("/my/claims");
  const kept = await keptAddresses(page);
  const pages = kept.filter((url) => !url.startsWith("/pkg/") && !url.startsWith("/icons/") && url !== "/favicon.svg" && url !== "/manifest.webmanifest");
  expect(pages, `kept: ${kept.join(", ")}`).toEqual([]);
  // Signed out again, offline: no page shows the donor.
  await page.request.post("/api/sign_out");
  await context.setOffline(true);
  for (const path of ["/", `/needs/${id}`, "/my/claims"]) {
    await page.goto(path);
    await expect(page.getByTestId("offline-banner"), path).toBeVisible();
    await expect(page.getByTestId("signed-in-as"), path).toHaveCount(0);
  }
  await context.setOffline(false);
});

test("the board says when its live connection is lost and comes back by itself", async ({ page, context }) => {
  await page.goto("/");
  await expect(page.locator('.board-count[data-live="on"]')).toBeVisible({ timeout: 10_000 });
  await context.setOffline(true);
  const connection = page.getByTestId("connection");
  await expect(connection, "the board says it is offline").toHaveAttribute("data-connection", "lost", { timeout: 15_000 });
  await expect(connection).toBeVisible();
  await context.setOffline(false);
  await expect(connection, "the board says it is back").toHaveAttribute("data-connection", "back", { timeout: 20_000 });
  await expect(page.locator('.board-count[data-live="on"]')).toBeVisible({ timeout: 20_000 });
});
