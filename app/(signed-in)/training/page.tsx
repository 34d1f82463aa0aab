import type { Metadata } from "next";
import { requirePageUser } from "@/lib/auth/page-guard";
import { TrainingWorkspace } from "./training-workspace";

export const metadata: Metadata = { title: "Training" };

export default async function TrainingPage() {
  await requirePageUser("training:manage", "/training");
  return (
    <>
      <div className="page-head">
        <h1>Training</h1>
        <p className="muted">
          Fine-tune a model on the reviewers’ verdicts. One job runs at a time; its candidate replaces the active model
          only if it does better on faces it never saw.
        </p>
      </div>
      <TrainingWorkspace />
    </>
  );
}
