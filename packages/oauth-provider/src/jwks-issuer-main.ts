import { type IssuerAlgorithm, startJwksIssuer } from "./jwks-issuer";

/**
 * Runs the JWKS issuer as its own process: `tsx src/jwks-issuer-main.ts [--port N] [--alg ES256]`.
 * Prints one JSON line with its URL once it listens.
 */
const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const issuer = await startJwksIssuer({
  port: Number(option("--port") ?? 0),
  alg: (option("--alg") as IssuerAlgorithm | undefined) ?? "ES256",
});
process.stdout.write(`${JSON.stringify({ ready: true, url: issuer.url, jwksUrl: issuer.jwksUrl })}\n`);
const stop = () => void issuer.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
