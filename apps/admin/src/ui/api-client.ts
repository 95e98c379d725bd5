'use client';
// The browser side of the admin API: JSON in, JSON out, the CSRF token in its header.

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: string; message: string };

export async function postJson<T>(url: string, body: unknown, csrf?: string): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
      body: JSON.stringify(body ?? {}),
    });
  } catch (error) {
    return { ok: false, error: 'network', message: error instanceof Error ? error.message : 'network error' };
  }
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok)
    return {
      ok: false,
      error: String(json.error ?? response.status),
      message: String(json.message ?? response.statusText),
    };
  return { ok: true, data: json as T };
}
