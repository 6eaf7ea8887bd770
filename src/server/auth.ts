import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The browser-mode guard: a random token in the printed URL. The page keeps it in a cookie (named per
 * port, since cookies ignore ports) so that its assets, media and WebSocket requests carry it too.
 */
export class TokenGuard {
  readonly token = randomBytes(24).toString('base64url');

  constructor(private readonly port: () => number) {}

  get cookieName(): string {
    return `maskbench-token-${this.port()}`;
  }

  /** The Set-Cookie header that lets the page's later requests through. */
  cookie(): string {
    return `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`;
  }

  allows(request: IncomingMessage, url: URL): boolean {
    return this.matches(url.searchParams.get('token')) || this.matches(readCookie(request.headers.cookie, this.cookieName));
  }

  private matches(candidate: string | null): boolean {
    if (candidate === null) return false;
    const given = Buffer.from(candidate);
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}
