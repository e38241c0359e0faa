import { builtinEnvironments, type Environment } from "vitest/environments";

/**
 * happy-dom for the widgets, with modules transformed as for Node: the tests also run the real
 * router and PGlite in process, whose `import.meta.url` file paths the browser transform rewrites.
 */
export default {
  ...builtinEnvironments["happy-dom"],
  name: "happy-dom-node",
  viteEnvironment: "ssr",
} satisfies Environment;
