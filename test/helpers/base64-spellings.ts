/**
 * The other base64 spellings of a 32-byte digest: its 43rd character carries 2 bits past the
 * digest's 256, which decoders ignore, so four strings decode to the same bytes.
 *
 * @example
 * otherBase64Spellings('…A=') // ['…B=', '…C=', '…D=']
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The three non-canonical spellings of the canonical 44-character base64 `digest`. */
export function otherBase64Spellings(digest: string): string[] {
  const last = ALPHABET.indexOf(digest.charAt(42));
  return [1, 2, 3].map((spare) => `${digest.slice(0, 42)}${ALPHABET.charAt(last | spare)}=`);
}
