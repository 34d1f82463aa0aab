import type { Metadata } from "next";
import Link from "next/link";
import { requirePageUser } from "@/lib/auth/page-guard";
import { UploadWorkspace } from "./upload-workspace";

export const metadata: Metadata = { title: "Upload" };

export default async function UploadPage() {
  await requirePageUser("predictions:create", "/upload");
  return (
    <>
      <div className="page-head">
        <h1>Upload a photo</h1>
        <p className="muted">
          Every face found gets a prediction. Confirm or correct each one here, or later in Review.
        </p>
        <p className="muted small">
          Have a video? <Link href="/videos">Analyse a video</Link>: faces followed over time, emotion by emotion.
        </p>
      </div>
      <UploadWorkspace />
    </>
  );
}
