import type { Metadata } from "next";
import { Suspense } from "react";
import { requirePageUser } from "@/lib/auth/page-guard";
import { roleCan } from "@/lib/auth/permissions";
import { DatasetBrowser } from "./dataset-browser";

export const metadata: Metadata = { title: "Dataset" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function DatasetPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  // After signing in, back to the same view of the dataset.
  const sp = await searchParams;
  const qs = new URLSearchParams(Object.entries(sp).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
  const principal = await requirePageUser("faces:read", `/dataset${qs.size ? `?${qs}` : ""}`);
  return (
    // The browser reads its filters from the address (useSearchParams).
    <Suspense
      fallback={
        <p className="muted status-line">
          <span className="spinner" aria-hidden="true" /> Loading the dataset…
        </p>
      }
    >
      <DatasetBrowser
        admin={roleCan(principal.role, "agreement:read")}
        canBulk={roleCan(principal.role, "models:manage")}
      />
    </Suspense>
  );
}
