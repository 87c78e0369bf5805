import { expect, test } from "@playwright/test";
import { claimElsewhere, fillClaim, needAt, needById, submitClaim, waitUntilLive } from "./helpers";

// Runs hydrated and with JavaScript off: claiming is a real form post, so it works without script.

test("a donor claims a need and it leaves the board", async ({ page, javaScriptEnabled }) => {
  await page.goto("/");
  if (javaScriptEnabled) await waitUntilLive(page);
  const need = await needAt(page, 0);
  await fillClaim(page, need.id, "王先生", "13812345678");
  await submitClaim(page, need.id);
  await expect(needById(page, need.id)).toHaveCount(0);
  if (javaScriptEnabled) {
    await expect(page.getByTestId("claim-outcome")).toContainText(`认领成功：${need.title}`);
  } else {
    // The form post is redirected to a board that says so.
    await expect(page.getByTestId("claim-outcome")).toContainText(`认领成功（需求编号 ${need.id}）`);
  }
  await page.reload();
  await expect(needById(page, need.id)).toHaveCount(0);
});

test("a donor who is too late is told so in plain words", async ({
  page,
  request,
  baseURL,
  javaScriptEnabled,
}) => {
  await page.goto("/");
  if (javaScriptEnabled) await waitUntilLive(page);
  const need = await needAt(page, 0);
  await fillClaim(page, need.id, "李女士", "丹阳市爱心企业联合会");
  await claimElsewhere(request, baseURL!, need.id);
  if (javaScriptEnabled) {
    // Live: the need is gone from this donor's board before they can submit.
    await expect(needById(page, need.id)).toHaveCount(0, { timeout: 2_000 });
  } else {
    await submitClaim(page, need.id);
    await expect(page.getByTestId("claim-outcome")).toContainText("已被其他爱心人士认领");
    await expect(needById(page, need.id)).toHaveCount(0);
  }
});

test("a claim with a bad phone number is refused with the reason", async ({ page, javaScriptEnabled }) => {
  await page.goto("/");
  if (javaScriptEnabled) await waitUntilLive(page);
  const need = await needAt(page, 0);
  await fillClaim(page, need.id, "周先生", "12345");
  await submitClaim(page, need.id);
  await expect(page.getByTestId("claim-outcome")).toContainText("手机号格式不正确");
  await expect(needById(page, need.id)).toHaveCount(1);
});
