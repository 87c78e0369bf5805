import { expect, test } from "@playwright/test";
import {
  claimElsewhere,
  needAt,
  needById,
  sparePort,
  startServer,
  stopServer,
  waitUntilLive,
} from "./helpers";

// Two server instances on one PostgreSQL database (run.sh starts a throwaway cluster and names
// an empty database in WANSHAN_E2E_POSTGRES). A browser on instance B watches a need claimed
// through instance A vanish: the claim reaches B's pump through LISTEN/NOTIFY.
test("a browser on instance B sees a need claimed through instance A vanish", async ({
  page,
  request,
}, testInfo) => {
  const database = process.env.WANSHAN_E2E_POSTGRES;
  expect(database, "WANSHAN_E2E_POSTGRES names the PostgreSQL database (run.sh sets it)").toBeTruthy();
  test.setTimeout(60_000);
  // Each project (desktop, phone) gets its own pair of ports; the demo needs are seeded once.
  const pair = testInfo.project.name === "phone" ? 4 : 2;
  const [portA, portB] = [sparePort(pair), sparePort(pair + 1)];
  const a = await startServer(request, portA, database!);
  const b = await startServer(request, portB, database!);
  try {
    await page.goto(`http://127.0.0.1:${portB}/`);
    await waitUntilLive(page);
    const need = await needAt(page, 0);
    await claimElsewhere(request, `http://127.0.0.1:${portA}`, need.id);
    await expect(needById(page, need.id)).toHaveCount(0, { timeout: 2_000 });
  } finally {
    await stopServer(a);
    await stopServer(b);
  }
});
