// Throwaway: 3 reviewers, overlap 2, 200 verdicts on FER2013 test-public crops; screenshot /reviewers.
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { signIn, startTestApp } from "@/test/support/app-server";
import { client } from "@/test/support/http";

const DATA = "/work/shared/data/fer2013/test-public";
async function main() {
  const app = await startTestApp({ baseModelDir: path.resolve("models/baseline") });
  try {
    const admin = client(app.baseUrl, { cookie: await signIn(app.baseUrl, app.admin.email, app.admin.password) });
    await admin.json("PUT", "/api/settings/review", { verdicts_per_face: 2, extra_review_share: 0, control_share: 0 });
    const labels = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"];
    const truth = new Map<number, string>();
    let k = 0;
    for (const label of labels) {
      const files = fs.readdirSync(path.join(DATA, label)).slice(0, label === "disgust" ? 5 : 16);
      for (const f of files) {
        if (k >= 100) break;
        const res = await admin.upload(fs.readFileSync(path.join(DATA, label, f)), {
          isFaceCrop: true,
          type: "image/png",
          filename: f,
        });
        const body = (await res.json()) as { faces: { prediction_id: number }[] };
        truth.set(body.faces[0]!.prediction_id, label);
        k++;
      }
    }
    const reviewers = [];
    for (const [name, accuracy] of [
      ["ana", 0.9],
      ["ben", 0.75],
      ["cy", 0.5],
    ] as const) {
      const email = `${name}@example.test`;
      await admin.json("POST", "/api/users", { email, password: `${name}-password-1`, role: "REVIEWER" });
      reviewers.push({
        c: client(app.baseUrl, { cookie: await signIn(app.baseUrl, email, `${name}-password-1`) }),
        accuracy,
      });
    }
    let verdicts = 0;
    let a = 7;
    const rand = () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    while (verdicts < 200) {
      let progressed = false;
      for (const r of reviewers) {
        if (verdicts >= 200) break;
        const next = await r.c.get("/api/review/next");
        if (next.status === 204) continue;
        const item = (await next.json()) as { prediction_id: number; prediction: { label: string } };
        const t = truth.get(item.prediction_id)!;
        const said = rand() < r.accuracy ? t : labels[Math.floor(rand() * 7)]!;
        const body =
          said === item.prediction.label ? { verdict: "correct" } : { verdict: "incorrect", corrected_label: said };
        const res = await r.c.json("POST", "/api/reviews", { prediction_id: item.prediction_id, ...body });
        if (res.status === 201) verdicts++;
        progressed = true;
      }
      if (!progressed) break;
    }
    console.log("verdicts", verdicts);
    const summary = await (await admin.get("/api/agreement")).json();
    console.log(JSON.stringify(summary.overall), JSON.stringify(summary.faces));
    for (const r of summary.reviewers) console.log(r.email, r.verdicts, r.agreement, r.kappa, r.median_seconds);
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu"],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${app.baseUrl}/login`);
    await page.getByLabel(/e-?mail/i).fill(app.admin.email);
    await page.getByLabel(/password/i).fill(app.admin.password);
    await page.getByRole("button", { name: /sign in/i }).click();
    await page.waitForURL(/review|upload/);
    await page.goto(`${app.baseUrl}/reviewers`);
    await page.waitForTimeout(2000);
    await page.screenshot({ path: "/tmp/shots/reviewers-200.png", fullPage: true });
    await page.goto(`${app.baseUrl}/adjudication`);
    await page.waitForTimeout(2000);
    await page.screenshot({ path: "/tmp/shots/adjudication-demo.png", fullPage: true });
    await browser.close();
  } finally {
    await app.stop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
