/**
 * IP address syntax as Go's `net.ParseIP` (and CEL's `isIP`) reads it: dotted-quad IPv4
 * without leading zeros, and IPv6 with `::` compression and an optional embedded IPv4 tail.
 * Written out rather than taken from `node:net` so validation runs wherever JavaScript runs.
 */

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(s: string): boolean {
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return false;
  let text = s;
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 tail stands for the last two groups.
    if (!isIPv4(tail)) return false;
    text = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (h: string) => (h === '' ? [] : h.split(':'));
  const hex = (g: string) => /^[0-9a-fA-F]{1,4}$/.test(g);
  if (halves.length === 1) {
    const groups = groupsOf(text);
    return groups.length === 8 && groups.every(hex);
  }
  const groups = [...groupsOf(halves[0]), ...groupsOf(halves[1])];
  return groups.length < 8 && groups.every(hex);
}

export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}
