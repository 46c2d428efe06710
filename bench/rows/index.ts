// The table's rows, in print order.

import { lessonRow } from "./lesson.js";
import { matmulRows } from "./matmul.js";
import { mlpRow } from "./mlp.js";
import { convnetRow } from "./convnet.js";
import { fmaRows, sumRow } from "./elementwise.js";
import { lesson10Row } from "./lesson10.js";
import type { Row } from "../lib/types.js";

export const ROWS: readonly Row[] = [lessonRow, ...matmulRows, mlpRow, convnetRow, ...fmaRows, sumRow, lesson10Row];

/** --only=<id>[,<id>...]: an id selects itself and every row whose id starts with it ("matmul" selects all products). */
export function selectRows(only: readonly string[] | null): Row[] {
  if (!only) return [...ROWS];
  const rows = ROWS.filter((r) => only.some((o) => r.id === o || r.id.startsWith(`${o}-`)));
  if (rows.length === 0) throw new Error(`--only=${only.join(",")} matches no row (rows: ${ROWS.map((r) => r.id).join(", ")})`);
  return rows;
}
