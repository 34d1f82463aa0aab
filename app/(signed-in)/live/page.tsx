import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { getDb } from "@/lib/db/client";
import { activeFaceDetector } from "@/lib/faces/detector";
import { faceApiPackage } from "@/lib/faces/face-api-package";
import { findActiveVersionFiles } from "@/lib/registry/read-versions";
import { tfjsWasmBaseUrl } from "../../tfjs-wasm/tfjs-wasm-dist";
import { LiveView } from "./live-view";

export const metadata: Metadata = { title: "Live" };

export default async function LivePage({ searchParams }: { searchParams: Promise<{ backend?: string }> }) {
  await requirePageUser("predictions:create", "/live");
  const active = await findActiveVersionFiles(getDb());
  const { backend } = await searchParams;
  return (
    <>
      <div className="page-head">
        <h1>Live</h1>
        <p className="muted">
          Emotions of the faces in front of your camera, predicted in this browser by the active model. Nothing leaves
          the browser until you capture a frame: its faces then become review items.
        </p>
      </div>
      <LiveView
        model={active}
        faceApiVersion={faceApiPackage().version}
        detector={activeFaceDetector()}
        wasmBase={tfjsWasmBaseUrl()}
        backend={backend === "wasm" || backend === "webgl" ? backend : undefined}
      />
    </>
  );
}
