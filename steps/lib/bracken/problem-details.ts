/**
 * An error answer in RFC 9457 "problem details" form (what ASP.NET Core APIs such as Bracken's, and
 * the sandbox, answer: `title`, `detail`, validation `errors` by field, a `traceId`) in words, so a
 * failed step quotes "Email: The Email field is required." rather than the first 300 characters of
 * the JSON it came in. Any other body is left to be quoted as it is.
 *
 * @example
 * problemText('{"title":"One or more validation errors occurred.","errors":{"Email":["Required."]}}')
 * // 'One or more validation errors occurred: Email: Required.'
 */
import { isObject } from '../core/index.ts';

/** The problem in words, or undefined when `body` is not a problem-details object. */
export function problemText(body: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const headline = [value.detail, value.title].find((text): text is string => typeof text === 'string' && text.trim() !== '');
  const fields = isObject(value.errors) ? fieldErrors(value.errors) : '';
  if (headline === undefined && fields === '') return undefined;
  const text = headline === undefined ? fields : fields === '' ? headline : `${headline.trim().replace(/[.:]$/, '')}: ${fields}`;
  // The id the server logged the failure under: what its support needs to find it.
  return typeof value.traceId === 'string' ? `${text} (traceId ${value.traceId})` : text;
}

/** `{"Email": ["Required."], "Name": "Too long."}` as `Email: Required. Name: Too long.` */
function fieldErrors(errors: Record<string, unknown>): string {
  return Object.entries(errors)
    .map(([field, messages]) => `${field}: ${[messages].flat().map(String).join(' ')}`)
    .join(' ');
}
