/**
 * Step 5's "Computed:" and "Received:" lines for any scheme LISTEN_SCHEME names: the signature
 * header a sender holding the secret would have sent, next to the one that arrived, each under
 * the header name as the delivery spelled it. (Step 5 computes Bracken's itself, as the tutorial
 * does, and prints it with headerLine().)
 *
 * @example
 * log(`Computed: ${computedSignature(scheme, input, secret, delivery)}`); // "X-Hub-Signature-256: sha256=7571..."
 * log(`Received: ${receivedSignature(scheme, delivery)}`);
 */
import type { DeliveryView } from '../delivery/index.ts';
import { headerValue, signsParameters, type Scheme, type Verifier, type VerifyInput } from '../signature/index.ts';

/**
 * The signature header a sender holding `secret` would have sent for this request, as "Name: value";
 * a note instead for a scheme that signs parameters (Vonage), or a secret the scheme cannot sign with.
 */
export function computedSignature(scheme: Scheme, input: VerifyInput, secret: string, delivery: DeliveryView): string {
  return signedHeader(scheme, input, secret, delivery) ?? '(this scheme signs parameters, not a header: see the sig parameter)';
}

/** The signature header as it arrived, as "Name: value". */
export function receivedSignature(scheme: Verifier, delivery: DeliveryView): string {
  const pair = rawHeader(delivery, scheme.signatureHeader?.name);
  return pair === undefined ? '(no signature header)' : `${pair[0]}: ${pair[1]}`;
}

/** "Name: value", with the header's name spelled as the delivery spelled it (`name` when it has none). */
export function headerLine(delivery: DeliveryView, name: string, value: string): string {
  return `${rawHeader(delivery, name)?.[0] ?? name}: ${value}`;
}

function signedHeader(scheme: Scheme, input: VerifyInput, secret: string, delivery: DeliveryView): string | undefined {
  if (signsParameters(scheme)) return undefined;
  // Signed with the request's own id and timestamp, so a timestamped scheme reproduces what was sent.
  const timestamp = scheme.timestampOf?.(input);
  const id = headerValue(input.headers, 'webhook-id');
  try {
    const headers = scheme.sign({
      body: input.body,
      secret,
      ...(id === undefined ? {} : { id }),
      ...(timestamp === undefined ? {} : { now: () => timestamp * 1000 }),
    });
    const value = headers[scheme.signatureHeader.name];
    return value === undefined ? undefined : headerLine(delivery, scheme.signatureHeader.name, value);
  } catch {
    return undefined; // a secret this scheme cannot use; verify() says why
  }
}

/** The first header pair called `name` (in any case), as the delivery carried it. */
function rawHeader(delivery: DeliveryView, name: string | undefined): readonly [string, string] | undefined {
  return delivery.headers.find(([header]) => header.toLowerCase() === name);
}
