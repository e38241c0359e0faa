/**
 * The one retry policy of the widgets' and the console's queries: a 4xx answer is final (asking
 * again gets the same answer); network trouble (no status) and 5xx are tried up to twice more.
 * Reads the HTTP status a tRPC client error carries (`error.data.httpStatus`).
 */
export function retryUnlessFinal(failureCount: number, error: unknown): boolean {
  const status = (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
  return failureCount < 2 && (status === undefined || status >= 500);
}
