/** The published signature test vectors in test/fixtures/vectors/vectors.json, each with its source. */
import { readFileSync } from 'node:fs';

export interface Vector {
  readonly id: string;
  readonly scheme: string;
  readonly source: string;
  readonly secret: string;
  readonly body?: string;
  /** A file beside vectors.json holding the exact body bytes. */
  readonly bodyFile?: string;
  readonly headers?: Record<string, string>;
  /** Vonage: the signed request parameters. */
  readonly params?: Record<string, string>;
  /** Unix seconds the vector was signed at, for timestamped schemes. */
  readonly now?: number;
}

export const VECTORS_DIR = new URL('../fixtures/vectors/', import.meta.url);

export const VECTORS: readonly Vector[] = (JSON.parse(readFileSync(new URL('vectors.json', VECTORS_DIR), 'utf8')) as { vectors: Vector[] }).vectors;

/** The exact body bytes of a vector. */
export function vectorBody(vector: Vector): Buffer {
  return vector.bodyFile !== undefined ? readFileSync(new URL(vector.bodyFile, VECTORS_DIR)) : Buffer.from(vector.body ?? '', 'utf8');
}
