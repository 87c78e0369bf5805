import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DEMO_PASSWORD, claimElsewhere, needAt, needById, needs, signUpDonor, waitUntilLive } from "./helpers";

// Every page, as each kind of person who may open it sees it, in both languages:
// - axe-core finds no accessibility violation (WCAG 2.1 A and AA rules and axe's best practices);
// - in English, no interface text is left in Chinese (every text from locales/zh-CN that differs
//   in English is looked for in the page), and no translation key or {{ placeholder }} shows.

const PAGES: { who: string | null; paths: string[] }[] = [
  { who: null, paths: ["/", "/?window=education", "/impact", "/credit", "/signin", "/signup", "/offers", "/thanks", "NEED", "NEED/report", "NEED/poster", "/needs/999999", "/hours/verify/nonexistent"] },
  { who: "13900000009", paths: ["/", "/my/claims", "/my/notices", "/for-you", "/my/interests", "NEED"] },
  { who: "13900000001", paths: ["/intake", "/review", "/my/hours", "/my/notices"] },
  { who: "13900000003", paths: ["/review", "/review/reports", "/review/hours", "/review/offers"] },
  { who: "13900000005", paths: ["/desk", "/admin/api-log"] },
  { who: "13900000000", paths: ["/admin", "/admin/agencies", "/desk"] },
  { who: "13900000006", paths: ["/my/offers", "/offers/new"] },
];

/** The demo accounts' names (README) and those other specs give the people they sign up
 * (helpers.ts): what people are called is data, not interface, and is not translated. */
const DEMO_NAMES = ["另一位爱心人士", "爱心人士", "键盘用户", "演示管理员", "志愿者小王", "志愿者小李", "延陵镇议事小组", "司徒镇议事小组", "丹阳市督导", "爱心人士小陈", "丹阳市青少年活动中心"];

/** Chinese interface texts (pieces between placeholders, 4+ characters) that English replaces. */
function chineseOnlyTexts(): string[] {
  const root = join(__dirname, "..", "..", "app", "locales");
  const out = new Set<string>();
  const walk = (zh: unknown, en: unknown) => {
    if (typeof zh === "string" && typeof en === "string") {
      if (zh === en) return;
      for (const piece of zh.split(/\{\{[^}]*\}\}|<[^>]*>/)) {
        const text = piece.trim().replace(/^[，。：；、！？（）「」《》…·\s]+|[，。：；、！？（）「」《》…·\s]+$/g, "");
        if ([...text].filter((c) => /[\u4e00-\u9fff]/.test(c)).length >= 4) out.add(text);
      }
    } else if (zh && typeof zh === "object" && en && typeof en === "object") {
      for (const key of Object.keys(zh)) walk((zh as any)[key], (en as any)[key]);
    }
  };
  for (const file of readdirSync(join(root, "zh-CN"))) {
    walk(JSON.parse(readFileSync(join(root, "zh-CN", file), "utf8")), JSON.parse(readFileSync(join(root, "en", file), "utf8")));
  }
  return [...out];
}

async function signedInPage(browser: Browser, who: string | null, lang: "zh-CN" | "en", baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: lang === "en" ? "en-US" : "zh-CN" });
  await context.addCookies([{ name: "wanshan_lang", value: lang, url: baseURL }]);
  const page = await context.newPage();
  if (who) {
    const response = await page.request.post("/api/sign_in", { form: { phone: who, password: DEMO_PASSWORD } });
    expect(response.status(), `signing in ${who}`).toBe(200);
  }
  return page;
}

let needPath = "";

test.beforeAll(async ({ browser, baseURL }) => {
  const page = await browser.newPage({ baseURL });
  await page.goto("/");
  const id = await needs(page).first().getAttribute("data-need-id");
  expect(id, "an open need on the demo board").toBeTruthy();
  needPath = `/needs/${id}`;
  await page.close();
});

for (const lang of ["zh-CN", "en"] as const) {
  for (const { who, paths } of PAGES) {
    test(`${lang}: ${who ?? "anyone"}: no accessibility violation${lang === "en" ? ", nothing left untranslated" : ""}`, async ({ browser, baseURL }) => {
      test.setTimeout(120_000);
      const page = await signedInPage(browser, who, lang, baseURL!);
      const untranslated = lang === "en" ? chineseOnlyTexts() : [];
      const problems: string[] = [];
      for (const raw of paths) {
        const path = raw.replace("NEED", needPath);
        await page.goto(path);
        await expect(page.locator("html"), `${path}: <html lang>`).toHaveAttribute("lang", lang);
        const results = await new AxeBuilder({ page })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
          .analyze();
        for (const violation of results.violations) {
          problems.push(`${path}: ${violation.id} (${violation.impact}): ${violation.help}: ${violation.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
        }
        if (lang === "en") {
          // People's names are data, not interface (the demo donor is 爱心人士小陈).
          let text = await page.locator("body").innerText();
          for (const name of DEMO_NAMES) text = text.split(name).join("");
          for (const chinese of untranslated) {
            if (text.includes(chinese)) problems.push(`${path}: untranslated: ${chinese}`);
          }
          if (/\{\{|\}\}/.test(text)) problems.push(`${path}: a {{ placeholder }} shows`);
        }
      }
      expect(problems, problems.join("\n")).toEqual([]);
      await page.context().close();
    });
  }
}

test("a donor reaches and opens a need's claim form with the keyboard alone", async ({ page }) => {
  await signUpDonor(page, "键盘用户");
  await page.goto("/");
  await waitUntilLive(page);
  const first = needs(page).first();
  const id = (await first.getAttribute("data-need-id")) ?? "";
  const claimButton = first.locator("summary", { hasText: "我来认领" });
  // Tab from the top of the page until the first card's claim button has the focus.
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await claimButton.evaluate((button) => button === document.activeElement);
  }
  expect(reached, "the first card's 我来认领 is reachable with Tab").toBe(true);
  await page.keyboard.press("Enter");
  const confirm = needById(page, id).getByRole("button", { name: "确认认领" });
  await expect(confirm).toBeVisible();
  let confirmReached = await confirm.evaluate((button) => button === document.activeElement);
  for (let i = 0; i < 20 && !confirmReached; i++) {
    await page.keyboard.press("Tab");
    confirmReached = await confirm.evaluate((button) => button === document.activeElement);
  }
  expect(confirmReached, "确认认领 is reachable with Tab").toBe(true);
  // Not sent: the demo board's needs are shared by every spec (a claim by Enter on a focused
  // submit button is the browser's own behaviour).
});

test("a screen reader hears the board's live changes", async ({ browser, baseURL }) => {
  const reader = await browser.newPage({ baseURL });
  await reader.goto("/");
  await waitUntilLive(reader);
  // The last card listed, not the first: the first needs are the ones other specs use.
  const { id } = await needAt(reader, (await needs(reader).count()) - 1);
  const region = reader.getByTestId("board-changes");
  await expect(region).toHaveAttribute("aria-live", "polite");
  await claimElsewhere(reader.context().request, baseURL!, id);
  await expect(needById(reader, id)).toHaveCount(0, { timeout: 10_000 });
  await expect(region).toHaveText("刚刚有 1 条需求被认领。");
  await reader.close();
});
