/**
 * API error bodies in the shape an ASP.NET Core API (which Bracken's PublicAPI is) sends:
 * RFC 9457 `application/problem+json`, and for validation failures the `errors` map of
 * field name to messages (`ValidationProblemDetails`). Bracken documents none of its error
 * bodies (shared/bracken-api.md §4), so treat the exact wording as the sandbox's own.
 *
 * @example
 * throw new ProblemError(400, 'One or more validation errors occurred.', { errors: { target: ['The target field is required.'] } });
 */
import type { Response } from 'express';

const TYPES: Readonly<Record<number, string>> = {
  400: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
  401: 'https://tools.ietf.org/html/rfc9110#section-15.5.2',
  403: 'https://tools.ietf.org/html/rfc9110#section-15.5.4',
  404: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
  409: 'https://tools.ietf.org/html/rfc9110#section-15.5.10',
  413: 'https://tools.ietf.org/html/rfc9110#section-15.5.14',
  415: 'https://tools.ietf.org/html/rfc9110#section-15.5.16',
  500: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
};

/** Field name (`$` for the body as a whole) to the messages about it. */
export type FieldErrors = Record<string, string[]>;

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: FieldErrors;
}

export interface ProblemOptions {
  detail?: string;
  errors?: FieldErrors;
  /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
  headers?: Record<string, string>;
}

/** Thrown by a route handler; the app's error handler turns it into a problem+json response. */
export class ProblemError extends Error {
  readonly status: number;
  readonly title: string;
  readonly options: ProblemOptions;

  constructor(status: number, title: string, options: ProblemOptions = {}) {
    super(options.detail ?? title);
    this.name = new.target.name;
    this.status = status;
    this.title = title;
    this.options = options;
  }
}

/** A 400 listing what is wrong with each field, in the ASP.NET wording. */
export function validationProblem(errors: FieldErrors): ProblemError {
  return new ProblemError(400, 'One or more validation errors occurred.', { errors });
}

/** Sends `problem` as `application/problem+json`. */
export function sendProblem(res: Response, problem: ProblemError): void {
  const body: ProblemBody = {
    type: TYPES[problem.status] ?? TYPES[500] ?? '',
    title: problem.title,
    status: problem.status,
    ...(problem.options.detail === undefined ? {} : { detail: problem.options.detail }),
    ...(problem.options.errors === undefined ? {} : { errors: problem.options.errors }),
  };
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}
