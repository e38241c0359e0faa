import type { ReactNode } from "react";
import { TenantryProvider, type Theme } from "../provider/TenantryProvider.js";
import type { StoryWorld } from "./browser-backend.js";
import { inProcessLink } from "./in-process-link.js";

/** What every widget story's loader hands its render: a seeded world and a link into its router. */
export interface StoryLoaded {
  world: StoryWorld;
  link: ReturnType<typeof inProcessLink>;
}

const never = new Promise<void>(() => {});
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The world's router behind a link; `delay` holds every call that long (ms), Infinity keeps it loading. */
export function storyLoaded(world: StoryWorld, delay = 0): StoryLoaded {
  const link = inProcessLink({
    db: world.db,
    keyring: world.keyring,
    beforeCall: delay === Number.POSITIVE_INFINITY ? () => never : delay > 0 ? () => sleep(delay) : undefined,
  });
  return { world, link };
}

/** The provider as a host would render it, acting with the story world's token. */
export function StoryProvider(props: {
  loaded: unknown;
  theme: Theme;
  locale?: string | undefined;
  children: ReactNode;
}) {
  const { world, link } = props.loaded as StoryLoaded;
  return (
    <TenantryProvider
      baseUrl="https://tenantry.invalid"
      token={world.token}
      link={link}
      theme={props.theme}
      {...(props.locale ? { locale: props.locale } : {})}
    >
      {props.children}
    </TenantryProvider>
  );
}
