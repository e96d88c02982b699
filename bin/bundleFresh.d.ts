// The types of bin/bundleFresh.js (plain JavaScript, so that bin/ferry.js runs without type stripping).
export function freshBundle(root: URL): string | null;
