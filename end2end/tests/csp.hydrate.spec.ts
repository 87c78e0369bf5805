import { expect, test } from "@playwright/test";
import { signInAs, waitForHydration } from "./helpers";

// The Content-Security-Policy the server sends lets the app's own scripts and WebAssembly run
// and nothing else: every page a signed-in admin can open hydrates (the module script, its
// nonce and the wasm all allowed) and the browser reports no violation.

const ADMIN = "13900000000";

test("every page runs under the Content-Security-Policy with no violation", async ({ page }) => {
  test.setTimeout(60_000);
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  await signInAs(page, ADMIN);
  for (const path of ["/", "/impact", "/credit", "/my/claims", "/my/notices", "/review", "/intake", "/admin", "/admin/agencies", "/admin/api-log", "/desk"]) {
    // The header itself, with its nonce, is checked on every page by the Rust suite
    // (`safety::every_page_carries_a_content_security_policy…`); here, that it lets the page run.
    await page.goto(path);
    await waitForHydration(page);
  }
  // The live board connects under connect-src 'self'.
  await page.goto("/");
  await expect(page.locator('.board-count[data-live="on"]')).toBeVisible({ timeout: 10_000 });
  expect(violations).toEqual([]);
});
