import { expect, test } from "@playwright/test";
import {
  claimElsewhere,
  freshPhone,
  needAt,
  needById,
  openClaim,
  signUpDonor,
  submitClaim,
  waitUntilLive,
} from "./helpers";

// Runs hydrated and with JavaScript off: signing up and claiming are real form posts, so they
// work without script.

test("a first-time donor goes from the board to a claim in the fewest steps", async ({
  page,
  javaScriptEnabled,
}) => {
  await page.goto("/");
  if (javaScriptEnabled) await waitUntilLive(page);
  const need = await needAt(page, 0);
  // 1. 我来认领 on the need; 2. 注册并认领.
  await openClaim(page, need.id);
  await needById(page, need.id).getByRole("link", { name: "注册并认领" }).click();
  // 3. Phone, name and password, one form.
  await page.getByLabel("手机号（用于登录）").fill(freshPhone());
  await page.getByLabel("称呼或单位名称").fill("王先生");
  await page.getByLabel("设置密码（至少 8 位）").fill("e2e-password");
  await page.getByRole("button", { name: "注册并登录" }).click();
  // 4. Back on the board with that need's claim form open: one tap to claim.
  await expect(page).toHaveURL(new RegExp(`open=${need.id}`));
  await expect(page.getByTestId("signed-in-as")).toHaveText("王先生");
  if (javaScriptEnabled) await waitUntilLive(page);
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
  await signUpDonor(page, "李女士");
  await page.goto("/");
  if (javaScriptEnabled) await waitUntilLive(page);
  const need = await needAt(page, 0);
  await openClaim(page, need.id);
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

test("signing up with a bad phone number is refused with the reason", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("手机号（用于登录）").fill("12345");
  await page.getByLabel("称呼或单位名称").fill("周先生");
  await page.getByLabel("设置密码（至少 8 位）").fill("e2e-password");
  await page.getByRole("button", { name: "注册并登录" }).click();
  await expect(page.getByRole("alert")).toContainText("手机号格式不正确");
});
