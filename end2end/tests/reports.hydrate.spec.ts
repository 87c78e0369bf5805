import { expect, test } from "@playwright/test";
import { needAt, needById, signInAs, waitUntilLive } from "./helpers";

// 举报/纠错: a visitor reports a need with JavaScript off; the town's council reviewer (延陵镇议事小组
// in the demo) pauses it and it leaves another browser's live board at once; resuming brings it
// back. The report is resolved at the end, so the board is left as it was found.
test("a report filed without JavaScript lets the town's reviewer pause the need off every board, live, and resume it", async ({
  browser,
  baseURL,
}) => {
  const visitor = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const reviewer = await browser.newContext({ baseURL });
  const watcher = await browser.newContext({ baseURL });
  try {
    const v = await visitor.newPage();
    await v.goto(`/?town=${encodeURIComponent("延陵镇")}`);
    const need = await needAt(v, 0);
    await needById(v, need.id).getByRole("link", { name: "举报/纠错" }).click();
    await expect(v.getByTestId("report-page")).toContainText(need.title.trim());
    await v.getByLabel("信息有误").check();
    await v.getByLabel(/说明/).fill("金额好像多写了一个零");
    await v.getByRole("button", { name: "提交" }).click();
    await expect(v).toHaveURL(new RegExp(`/needs/${need.id}/report\\?sent=1$`));
    await expect(v.locator(".form-ok")).toContainText("已收到，谢谢您");

    const w = await watcher.newPage();
    await w.goto("/");
    await waitUntilLive(w);
    await expect(needById(w, need.id)).toHaveCount(1);

    const r = await reviewer.newPage();
    await signInAs(r, "13900000003");
    await r.goto("/review/reports");
    const card = () => r.locator(`li.reported-need[data-need-id="${need.id}"]`);
    await expect(card()).toContainText("金额好像多写了一个零");
    await card().getByRole("button", { name: "暂停展示" }).click();
    await expect(needById(w, need.id)).toHaveCount(0, { timeout: 2_000 });
    await expect(card()).toHaveAttribute("data-status", "paused");

    // The need's own page says it is being looked into, with nothing to claim.
    const page = await visitor.newPage();
    await page.goto(`/needs/${need.id}`);
    await expect(page.getByTestId("need-status")).toContainText("此需求正在核实中");
    await expect(page.getByText("我来认领")).toHaveCount(0);

    await card().getByRole("button", { name: "恢复展示" }).click();
    await expect(needById(w, need.id)).toHaveCount(1, { timeout: 2_000 });
    await expect(card()).toHaveAttribute("data-status", "published");

    // Resolved: the report shows its outcome and no form.
    const report = card().locator("li.report").first();
    await report.getByLabel("处理结果").selectOption("corrected");
    await report.getByRole("button", { name: "处理这条举报" }).click();
    await expect(card().locator("li.report").first().locator("[data-resolution]")).toContainText("已更正");
  } finally {
    await visitor.close();
    await reviewer.close();
    await watcher.close();
  }
});
