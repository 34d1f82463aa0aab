import { redirect } from "next/navigation";

// The review queue is where reviewers spend their day.
export default function Home() {
  redirect("/review");
}
