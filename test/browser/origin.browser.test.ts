// Browser test (needs Chromium and a production build): with NEXTAUTH_URL unset, as `npm start`
// runs by default, signing in and out keeps a user on the address they opened, whether that is
// http://127.0.0.1:PORT or http://localhost:PORT.
import { expect, it } from "vitest";
import { signInThroughForm, useBrowserApp } from "@/test/support/chromium";

// Empty is unset for the app's env module: the launcher then lets next-auth use the request's host.
const ui = useBrowserApp({ withModel: false, env: { NEXTAUTH_URL: "" } });

it.skipIf(!ui.executablePath)(
  "signs in and out on 127.0.0.1 and on localhost without changing origin",
  async () => {
    const { app, browser } = ui.session();
    for (const origin of [app.baseUrl, app.baseUrl.replace("127.0.0.1", "localhost")]) {
      // The URLs next-auth builds itself (its sign-in entry sends to the login page with a return
      // address) name the origin asked, not a configured default such as http://localhost:PORT.
      const entry = await fetch(`${origin}/api/auth/signin`, { redirect: "manual" });
      const login = new URL(entry.headers.get("location") ?? "", origin);
      expect(login.origin).toBe(origin);
      expect(new URL(login.searchParams.get("callbackUrl") ?? "").origin).toBe(origin);
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await signInThroughForm(page, origin, "/settings", app.admin);
        expect(new URL(page.url()).origin).toBe(origin);
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(/\/login/);
        expect(new URL(page.url()).origin).toBe(origin);
        await page.goto(`${origin}/settings`);
        await page.waitForURL(/\/login\?callbackUrl=/);
        expect(new URL(page.url()).origin).toBe(origin);
      } finally {
        await context.close();
      }
    }
  },
  180_000,
);
