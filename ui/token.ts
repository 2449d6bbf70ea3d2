/**
 * The dashboard's access token in the browser. It arrives once in the address's fragment
 * (`/#token=…`: a browser never sends a fragment to a server), is taken out of the address at
 * once, and is sent as `Authorization: Bearer` on every API call. There is no cookie: a browser
 * sends a cookie of 127.0.0.1 to every local web server, whatever its port.
 *
 * It is kept in localStorage, which, unlike a cookie, belongs to this origin alone (scheme, host
 * and port) and is never sent anywhere, so other tabs of this dashboard (e.g. the Approvals
 * address km monitor prints) are signed in too. It is worth nothing once this `km ui` stops: the
 * next one makes a new token.
 */

const KEY = "km_token";

/** Where the token is kept: localStorage, or memory when storage is refused. */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

let memory: string | undefined;

function store(): TokenStore | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // storage disabled: the token lives as long as the page
  }
}

/**
 * Reads `#token=<t>` from a fragment: the token, and the fragment to show instead (the route
 * after `&`, as in `#token=<t>&/approvals`, or the feed). Undefined when there is none.
 */
export function tokenFromHash(hash: string): { token: string; hash: string } | undefined {
  const match = hash.match(/^#token=([^&]*)(?:&(.*))?$/);
  if (!match || match[1] === "") return undefined;
  let token: string;
  try {
    token = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  const rest = match[2] ?? "";
  return { token, hash: rest.startsWith("/") ? `#${rest}` : "#/" };
}

/** Keeps a token given in the address and takes it out of the address (and this history entry). */
export function signInFromAddress(
  loc: { readonly hash: string; readonly pathname: string; readonly search: string } = location,
  replace: (url: string) => void = (url) => history.replaceState(null, "", url),
  storage: TokenStore | undefined = store(),
): boolean {
  const found = tokenFromHash(loc.hash);
  if (!found) return false;
  setToken(found.token, storage);
  replace(`${loc.pathname}${loc.search}${found.hash}`);
  return true;
}

export function setToken(token: string, storage: TokenStore | undefined = store()): void {
  memory = token;
  try {
    storage?.setItem(KEY, token);
  } catch { /* full or refused: memory has it */ }
}

/** The token, if this browser was signed in. */
export function accessToken(storage: TokenStore | undefined = store()): string | undefined {
  try {
    return storage?.getItem(KEY) ?? memory;
  } catch {
    return memory;
  }
}

/** The header every API call carries. */
export function authHeaders(): Record<string, string> {
  const token = accessToken();
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}
