// Values as error messages show them.

/** A value for an error message: strings quoted, numbers as written, objects by class name. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol" || typeof v === "function") return typeof v;
  if (Array.isArray(v)) return "an array";
  try { return (v as object).constructor?.name || "an object"; } catch { return "an object"; }
}
