/**
 * just-bash hands commands their stdin as a latin1 "byte string" (one character per byte); its
 * decoder is not part of the browser build, so the UTF-8 decoding is done here.
 */
export function decodeStdin(stdin: object | string): string {
  const latin1 = typeof stdin === 'string' ? stdin : (stdin as unknown as string);
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i) & 0xff;
  return new TextDecoder('utf-8').decode(bytes);
}
