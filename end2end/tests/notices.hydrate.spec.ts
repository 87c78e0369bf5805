import { expect, test, type Browser, type Page } from "@playwright/test";
import { needAt, openClaim, signInAs, signUpDonor, submitClaim, waitForHydration, waitUntilLive } from "./helpers";

// The coordinating volunteer's inbox, open in one browser, hears of a claim made in another,
// without a reload: the header's count goes up and a line says notices came; it shows the
// notice (with the donor's contact); marking it read takes the count down again.

const VOLUNTEER = "13900000001"; // 志愿者小王, who entered the demo needs

async function open(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  return context.newPage();
}

test("a claim reaches the coordinator's open inbox live", async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const volunteer = await open(browser, baseURL!);
  await signInAs(volunteer, VOLUNTEER);
  await volunteer.goto("/my/notices");
  await waitForHydration(volunteer);
  const count = volunteer.locator("#unread-count");
  const before = Number(await count.textContent());
  const navigations: string[] = [];
  volunteer.on("framenavigated", (frame) => navigations.push(frame.url()));

  const donorName = `通知人${Date.now() % 100_000}`;
  const donor = await open(browser, baseURL!);
  await signUpDonor(donor, donorName);
  await donor.goto("/");
  await waitUntilLive(donor);
  const need = await needAt(donor, 0);
  await openClaim(donor, need.id);
  await submitClaim(donor, need.id);
  await expect(donor.getByTestId("claim-outcome")).toBeVisible();

  // Without a reload: the count goes up here and in the header, and a line says notices came.
  await expect(volunteer.getByTestId("new-notices")).toBeVisible({ timeout: 10_000 });
  await expect(count).toHaveText(String(before + 1));
  await expect(volunteer.getByTestId("unread-line")).toContainText(`${before + 1} 条未读`);
  expect(navigations, "the inbox changed without a reload").toEqual([]);
  // The line shows them: the notice names the donor and their phone.
  await volunteer.getByTestId("new-notices").click();
  const notice = volunteer.getByTestId("notices").locator("li", { hasText: donorName });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText(need.title);
  await expect(notice).toContainText(/（1\d{10}）/);
  await expect(notice).toHaveAttribute("data-unread", "true");

  // Marking it read (a plain form: the page reloads) takes the count down.
  await notice.getByRole("button", { name: "标为已读" }).click();
  await expect(volunteer.getByTestId("notices").locator("li", { hasText: donorName })).toHaveAttribute(
    "data-unread",
    "false",
  );
  await expect(volunteer.locator("#unread-count")).toHaveText(String(before));

  // The board is left as it was found: the donor gives the claim back.
  const mine = await (await donor.request.post("/api/my_claims")).json();
  const claim = mine.find((c: { need: { id: number } }) => String(c.need.id) === need.id).claim_id;
  const released = await donor.request.post("/api/release_claim", { form: { claim_id: String(claim) } });
  expect(released.status()).toBe(200);
});
