import { describe, expect, it } from "vitest";
import { clientAddress } from "@/lib/auth/client-address";

describe("clientAddress", () => {
  it.each([
    ["no trusted proxy ignores the header", "203.0.113.9", 0, null],
    ["no header", null, 1, null],
    ["one proxy that overwrote the header", "203.0.113.9", 1, "203.0.113.9"],
    // The client sent "1.2.3.4" itself; the proxy appended what it saw. Only the latter counts.
    ["one proxy that appended to a client's own header", "1.2.3.4, 203.0.113.9", 1, "203.0.113.9"],
    ["two proxies: the client is second from the right", "1.2.3.4, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"],
    ["more proxies configured than entries", "203.0.113.9", 2, null],
    ["garbage where the address should be", "1.2.3.4, not-an-address", 1, null],
    ["IPv6, any case", "2001:DB8::1", 1, "2001:db8::1"],
    ["IPv4-mapped IPv6 is the IPv4 client", "::ffff:203.0.113.9", 1, "203.0.113.9"],
  ] as const)("%s", (_what, header, hops, expected) => {
    expect(clientAddress(header, hops)).toBe(expected);
  });
});
