import postgres from "postgres";
import type { NotificationHandlers, NotificationListener } from "./database";

/** A fence that takes longer than this is not trusted: the connection is dropped and made again. */
const FENCE_TIMEOUT_MS = 2_000;
const RECONNECT_MS = 250;
/** With no traffic, a fence this often notices a connection that died without closing. */
const HEARTBEAT_MS = 10_000;

/**
 * LISTEN on a connection of its own (application_name `tenantry-listener`), made again whenever it
 * closes. `onLost` is called as soon as it closes and `onListening` once LISTEN is in effect again,
 * so a cache that trusts notifications trusts them only while none can be missed.
 */
export async function listenPostgres(
  url: string,
  channel: string,
  handlers: NotificationHandlers,
): Promise<NotificationListener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  let stopped = false;
  let listening = false;
  let client: postgres.Sql | null = null;
  let retry: NodeJS.Timeout | undefined;
  let inFlight: Promise<boolean> | null = null;
  let queued: Promise<boolean> | null = null;

  const lose = (which: postgres.Sql) => {
    if (which !== client) return;
    client = null;
    if (listening) {
      listening = false;
      handlers.onLost();
    }
    void which.end({ timeout: 0 }).catch(() => {});
    if (!stopped && !retry) {
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, RECONNECT_MS);
      retry.unref();
    }
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const options = {
      max: 1,
      idle_timeout: 0,
      max_lifetime: 0,
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: "tenantry-listener" },
      // Any notification is delivered, even on a connection being replaced: an extra one only drops
      // entries. (postgres.js takes `onnotify` as its own `listen` does, without typing it.)
      onnotify: (name: string, payload: string) => {
        if (name === channel) handlers.onNotify(payload);
      },
      onclose: () => lose(sql),
    };
    const sql: postgres.Sql = postgres(url, options as postgres.Options<Record<string, never>>);
    client = sql;
    try {
      await sql.unsafe(`listen ${channel}`);
    } catch {
      lose(sql);
      return;
    }
    if (stopped || sql !== client) return;
    listening = true;
    handlers.onListening();
  };

  const roundTrip = async (): Promise<boolean> => {
    const sql = client;
    if (!sql || !listening) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answered = await Promise.race([
        sql`select 1`.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), FENCE_TIMEOUT_MS);
        }),
      ]);
      if (!answered) lose(sql);
      return answered && sql === client && listening;
    } catch {
      lose(sql);
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  // One round trip at a time: callers that arrive while one is in flight share the next one, which
  // starts after their call (so it still covers every commit before it).
  const fence = (): Promise<boolean> => {
    if (!inFlight) {
      inFlight = roundTrip().finally(() => {
        inFlight = null;
      });
      return inFlight;
    }
    if (!queued) {
      queued = inFlight.then(() => {
        queued = null;
        return fence();
      });
    }
    return queued;
  };

  await connect();
  const heartbeat = setInterval(() => void fence(), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    fence,
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      clearTimeout(retry);
      const sql = client;
      client = null;
      listening = false;
      await sql?.end({ timeout: 1 }).catch(() => {});
    },
  };
}
