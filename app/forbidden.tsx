import Link from "next/link";

/** Shown by forbidden() in the signed-in pages, inside their layout's main landmark (so not a second one). */
export default function Forbidden() {
  return (
    <div className="status-page">
      <p className="status-code">403</p>
      <h1>You don’t have access to this page</h1>
      <p>Your role doesn’t include it. If you think it should, ask an administrator.</p>
      <p>
        <Link href="/review" className="btn btn-primary">
          Go to Review
        </Link>
      </p>
    </div>
  );
}
