import { expect } from "vitest";

/** A REST answer's JSON body, once its status is the expected one (the body names what went wrong). */
export async function body<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}
