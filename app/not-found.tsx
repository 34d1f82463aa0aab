import Link from "next/link";

export default function NotFound() {
  return (
    <main className="status-page">
      <p className="status-code">404</p>
      <h1>Page not found</h1>
      <p>The address may be mistyped, or the page has moved.</p>
      <p>
        <Link href="/review" className="btn btn-primary">
          Go to Review
        </Link>
      </p>
    </main>
  );
}
