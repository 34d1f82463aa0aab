import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { VideosWorkspace } from "./videos-workspace";

export const metadata: Metadata = { title: "Videos" };

export default async function VideosPage() {
  await requirePageUser("predictions:create", "/videos");
  return (
    <>
      <div className="page-head">
        <h1>Videos</h1>
        <p className="muted">
          Upload a video: its frames are sampled, every face is followed over time and its emotion predicted. The
          analysis runs in the background; this list keeps its state when you come back.
        </p>
      </div>
      <VideosWorkspace />
    </>
  );
}
