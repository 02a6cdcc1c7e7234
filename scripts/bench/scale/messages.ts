/** What the scale section's parent and its children (child.ts) say to each other over IPC. */
import type { LoadResult } from '../load/types.ts';

/** The baseline's plain INSERTs: `connections` clients back to back for `durationMs`. */
export interface InsertPlan {
  readonly databaseUrl: string;
  readonly connections: number;
  readonly durationMs: number;
  readonly bodyBytes: number;
  /** Hard cap on rows, so memory stays bounded whatever the speed. */
  readonly maxRequests: number;
}

/** Parent → child: what to run. */
export type ChildStart = { readonly type: 'start' } & (
  | { readonly role: 'file-listener'; readonly secret: string; readonly stateDir: string }
  | { readonly role: 'postgres-listener'; readonly secret: string; readonly databaseUrl: string }
  | { readonly role: 'worker'; readonly databaseUrl: string }
  | { readonly role: 'inserts'; readonly plan: InsertPlan }
);

/** Child → parent: listening (a worker says port 0), the baseline's figures, or why it could not start. */
export type ChildReply =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'inserted'; readonly result: LoadResult }
  | { readonly type: 'failed'; readonly message: string };
