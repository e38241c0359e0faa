import { useQuery } from "@tanstack/react-query";
import {
  ConsoleHttpError,
  type ConsoleSession,
  queryClient,
  sessionApi,
  setCsrfToken,
  whenSessionEnds,
} from "./api";

export const SESSION_KEY = ["console-session"] as const;

export interface SessionState {
  session: ConsoleSession | null;
  /** No operator exists yet: the first one is made on the setup screen with an API key. */
  setupRequired: boolean;
}

export async function loadSession(): Promise<SessionState> {
  try {
    const session = await sessionApi.current();
    if (session) setCsrfToken(session.csrfToken);
    return { session, setupRequired: false };
  } catch (error) {
    if (error instanceof ConsoleHttpError && error.status === 401) {
      return { session: null, setupRequired: Boolean(error.body.setupRequired) };
    }
    throw error;
  }
}

/** Before any signed-in page loads: the session, from the cache when known. */
export function ensureSession(): Promise<SessionState> {
  return queryClient.ensureQueryData({
    queryKey: SESSION_KEY,
    queryFn: loadSession,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: loadSession,
    staleTime: Number.POSITIVE_INFINITY,
    retry: 1,
  });
}

/** After sign-in or setup: the answer carries the session, so no second request is needed. */
export function adoptSession(session: ConsoleSession) {
  setCsrfToken(session.csrfToken);
  queryClient.setQueryData<SessionState>(SESSION_KEY, { session, setupRequired: false });
}

export async function signOut() {
  await sessionApi.signOut().catch(() => {});
  setCsrfToken("");
  queryClient.clear();
  queryClient.setQueryData<SessionState>(SESSION_KEY, { session: null, setupRequired: false });
}

// A call that answers 401 means the session expired or was ended elsewhere.
whenSessionEnds(() => {
  const current = queryClient.getQueryData<SessionState>(SESSION_KEY);
  if (current?.session) void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
});
