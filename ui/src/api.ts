// Every call the dashboard makes: same origin, the API key in the X-API-Key header, never in a URL.

const KEY_ITEM = 'warmbox.apiKey';

/** The key lives in this tab's sessionStorage only: gone when the tab closes, never in a URL or cookie. */
export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_ITEM),
  signIn: (key: string) => sessionStorage.setItem(KEY_ITEM, key),
  signOut: () => sessionStorage.removeItem(KEY_ITEM),
};

/** An answer other than 2xx, with the server's {"error": {code, message}} when it sent one. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function request(method: string, path: string, key: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { 'X-API-Key': key, Accept: 'application/json, text/plain' },
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'the server does not answer');
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = await response.json();
    if (body?.error?.message) return new ApiError(response.status, body.error.code ?? 'error', body.error.message);
  } catch {
    // Not the API's error shape; the status says enough.
  }
  return new ApiError(response.status, 'http_' + response.status, `the server answered ${response.status}`);
}

export async function getJson<T>(path: string, key: string): Promise<T> {
  return (await request('GET', path, key)).json() as Promise<T>;
}

export async function getText(path: string, key: string): Promise<string> {
  return (await request('GET', path, key)).text();
}

export async function postJson<T>(path: string, key: string): Promise<T> {
  return (await request('POST', path, key)).json() as Promise<T>;
}
