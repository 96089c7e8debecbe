import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { OpsContext } from '../context';
import { resolveOutput } from '../deployed-stacks';
import { ExitCode, OpsError } from '../errors';
import { formatTable } from '../table';

/** What `platform views` asks the views API (docs/views-api.md). */
export type ViewsQuery =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'minutes'; readonly eventType: string; readonly from: string; readonly to: string; readonly limit?: number; readonly nextToken?: string; readonly all: boolean }
  | { readonly kind: 'health' };

interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface MinutePage {
  readonly minutes: { minute: string; events: number; amount: number }[];
  readonly nextToken: string | null;
}

/** Pages `--all` follows at most: a full range at the smallest page size is far below it. */
const MAX_PAGES = 1000;
/** A private API behind a route that is not there (VPN down) would otherwise hang until the OS gives up. */
const TIMEOUT_MS = 15_000;
/** Why a call may not reach the API at all: it is private (docs/views-api.md, "Network"). */
const PRIVATE_HINT =
  "The views API is private: it answers only through the platform VPC's execute-api endpoint. Connect the environment's Client VPN (its DNS, the VPC resolver, gives the API's name the endpoint's addresses) or run from inside the VPC.";

/** Calls the environment's views API, signed with SigV4 by the caller's credentials, and prints a table. */
export async function views(ctx: OpsContext, query: ViewsQuery): Promise<ExitCode> {
  const baseUrl = await resolveOutput(ctx.clients.cloudFormation, ctx.config, 'viewsApiUrl');
  const get = signedGet(ctx, baseUrl);
  if (query.kind === 'health') {
    const answer = await get('health', {});
    if (answer.status !== 200) throw apiError(answer);
    ctx.print(`views API ${baseUrl}: ${String(answer.body.status)}`);
    return ExitCode.Ok;
  }
  if (query.kind === 'user') {
    const answer = await get(`users/${encodeURIComponent(query.userId)}`, {});
    if (answer.status !== 200) throw apiError(answer);
    const b = answer.body;
    ctx.print(formatTable(['user', 'events', 'amount', 'last seen'], [[String(b.userId), String(b.events), String(b.amount), String(b.lastSeen ?? '-')]], { align: ['left', 'right', 'right', 'left'] }));
    return ExitCode.Ok;
  }
  const rows: string[][] = [];
  let nextToken = query.nextToken ?? null;
  let pages = 0;
  do {
    const params: Record<string, string> = { from: query.from, to: query.to };
    if (query.limit !== undefined) params.limit = String(query.limit);
    if (nextToken) params.nextToken = nextToken;
    const answer = await get(`event-types/${encodeURIComponent(query.eventType)}/minutes`, params);
    if (answer.status !== 200) throw apiError(answer);
    const page = answer.body as unknown as MinutePage;
    rows.push(...page.minutes.map((m) => [m.minute, String(m.events), String(m.amount)]));
    nextToken = page.nextToken;
    pages += 1;
  } while (query.all && nextToken !== null && pages < MAX_PAGES);
  ctx.print(rows.length === 0 ? `No ${query.eventType} events counted from ${query.from} to ${query.to}.` : formatTable(['minute (UTC)', 'events', 'amount'], rows, { align: ['left', 'right', 'right'] }));
  if (nextToken !== null) ctx.print(`More minutes: add --next-token '${nextToken}' (or --all).`);
  return ExitCode.Ok;
}

function signedGet(ctx: OpsContext, baseUrl: string) {
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  // The caller's credentials, from the same default chain (profile, SSO, environment) as the SDK clients.
  const signer = new SignatureV4({ service: 'execute-api', region: ctx.config.region, credentials: ctx.clients.cloudFormation.config.credentials, sha256: Sha256 });
  return async (relativePath: string, query: Record<string, string>): Promise<ApiAnswer> => {
    const url = new URL(relativePath, base);
    const signed = await signer.sign({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers: { host: url.host, accept: 'application/json' },
    });
    const search = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    // fetch sets Host itself (from the URL, the value that was signed).
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    let response: Response;
    try {
      response = await ctx.fetch(`${url.origin}${url.pathname}${search ? `?${search}` : ''}`, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      const cause = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
      throw new OpsError(`Could not reach the views API at ${base.origin}: ${cause}\n${PRIVATE_HINT}`, ExitCode.Failed);
    }
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      throw new OpsError(`The views API answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`, ExitCode.Failed);
    }
    return { status: response.status, body };
  };
}

function apiError({ status, body }: ApiAnswer): OpsError {
  const detail = `${String(body.error ?? body.status ?? 'Error')}: ${String(body.message ?? '')}${body.requestId ? ` (request ${String(body.requestId)})` : ''}`;
  // API Gateway's public front door answers a private API's name with a bare {"message": "Forbidden"};
  // the API's own refusals carry its error shape.
  if (status === 403 && body.error === undefined) return new OpsError(`The call did not reach the views API (403 ${String(body.message ?? '')}).\n${PRIVATE_HINT}`, ExitCode.Failed);
  if (status === 403) return new OpsError(`The views API refused the call (403) ${detail}\nSign in with a role of this account that may call execute-api:Invoke on it.`, ExitCode.Credentials);
  if (status === 404) return new OpsError(`Not found (404) ${detail}`, ExitCode.NotFound);
  if (status >= 400 && status < 500) return new OpsError(`The views API refused the request (${status}) ${detail}`, ExitCode.Usage);
  return new OpsError(`The views API failed (${status}) ${detail}`, ExitCode.Failed);
}
