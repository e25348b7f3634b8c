/**
 * The nonce a webview page's Content-Security-Policy allows scripts or styles
 * by: 24 random bytes from the Web Crypto API (in Node 20 and in browsers
 * alike), base64url so that it needs no quoting in HTML or the CSP.
 */
export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
