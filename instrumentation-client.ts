import { z } from "zod";

// Runs in the browser before the app's code. Zod probes for `new Function` to compile faster
// validators; the page's Content-Security-Policy forbids eval, so the probe would be reported as a
// CSP violation on every page. Zod's interpreted validators are fast enough for our forms.
z.config({ jitless: true });
