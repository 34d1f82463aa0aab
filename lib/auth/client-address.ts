import { isIP } from "node:net";

/**
 * The client's address as far as it can be trusted. Route handlers do not see the socket, so the
 * only source is X-Forwarded-For, and only the entries our own proxies appended: with `hops`
 * proxies in front, the client is the `hops`-th entry from the right. Anything left of it was sent
 * by the client and could be anything, which is why the first entry is never used. With no
 * trusted proxy, or a header that does not hold a valid address there, the answer is null.
 */
export function clientAddress(forwardedFor: string | null | undefined, hops: number): string | null {
  if (hops < 1 || !forwardedFor) return null;
  const entries = forwardedFor.split(",").map((e) => e.trim());
  const candidate = entries[entries.length - hops];
  if (!candidate) return null;
  // IPv4-mapped IPv6 and the IPv4 form are one client.
  const plain = candidate.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return isIP(plain) ? plain.toLowerCase() : null;
}
