import { expect, test } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  claimElsewhere,
  needAt,
  openClaim,
  signUpDonor,
  needById,
  sparePort,
  startServer,
  stopServer,
  submitClaim,
  waitUntilLive,
} from "./helpers";

test("a need claimed in one browser vanishes from another within 2 s, without a reload", async ({
  browser,
  baseURL,
}) => {
  const donorA = await browser.newContext({ baseURL });
  const donorB = await browser.newContext({ baseURL });
  const a = await donorA.newPage();
  const b = await donorB.newPage();
  await signUpDonor(a, "王先生");
  await a.goto("/");
  await b.goto("/");
  await waitUntilLive(a);
  await waitUntilLive(b);
  const need = await needAt(a, 0);
  await expect(needById(b, need.id)).toHaveCount(1);
  const navigations: string[] = [];
  b.on("framenavigated", (frame) => navigations.push(frame.url()));

  await openClaim(a, need.id);
  const claimedAt = Date.now();
  await submitClaim(a, need.id);
  await expect(needById(b, need.id)).toHaveCount(0, { timeout: 2_000 });
  console.log(`claim -> gone from the other browser: ${Date.now() - claimedAt} ms`);
  await expect(a.getByTestId("claim-outcome")).toContainText("认领成功");
  expect(navigations, "the other browser did not reload").toEqual([]);
  await donorA.close();
  await donorB.close();
});

test("the board reconnects by itself after a server restart", async ({ page, request }) => {
  test.setTimeout(60_000);
  const port = sparePort(1);
  const base = `http://127.0.0.1:${port}`;
  const database = join(mkdtempSync(join(tmpdir(), "wanshan-e2e-")), "restart.db");
  let server = await startServer(request, port, database);
  try {
    await page.goto(base);
    await waitUntilLive(page);
    const need = await needAt(page, 0);

    await stopServer(server);
    await expect(page.locator('.board-count[data-live="on"]')).toHaveCount(0, { timeout: 10_000 });
    server = await startServer(request, port, database);
    await waitUntilLive(page);

    await claimElsewhere(request, base, need.id);
    await expect(needById(page, need.id)).toHaveCount(0, { timeout: 2_000 });
  } finally {
    await stopServer(server);
  }
});
