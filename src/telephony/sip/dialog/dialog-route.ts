import { parseNameAddr } from '../message/name-addr.ts';
import { serializeUri } from '../message/sip-uri.ts';

/** Request-URI, Route headers and next hop of a request sent along a route set. */
export interface RoutedRequest {
  readonly uri: string;
  /** Route header values, in order. */
  readonly routes: readonly string[];
  /** URI of the element the request is sent to (RFC 3261 §8.1.2). */
  readonly nextHop: string;
}

/** The URI of a name-addr value, or the value itself when it does not parse. */
export function uriOf(nameAddr: string): string {
  const parsed = parseNameAddr(nameAddr);
  return parsed ? serializeUri(parsed.uri) : nameAddr.replace(/^<|>$/g, '');
}

/** True when the URI of a route value carries `;lr` (RFC 3261 §19.1.1 loose routing). */
export function isLooseRoute(route: string): boolean {
  const parsed = parseNameAddr(route);
  return parsed?.uri.kind === 'sip' && parsed.uri.params.has('lr');
}

/**
 * Places a request along a route set (RFC 3261 §12.2.1.1). Empty set: Request-URI is the
 * remote target. First route loose (`;lr`): Request-URI is the remote target and the whole set
 * goes in Route. First route strict (an RFC 2543 proxy): its URI becomes the Request-URI and
 * the remote target is appended as the last Route. The request goes to the first Route, else
 * to the Request-URI (§8.1.2).
 */
export function routeRequest(routeSet: readonly string[], remoteTarget: string): RoutedRequest {
  const first = routeSet[0];
  if (first === undefined) return { uri: remoteTarget, routes: [], nextHop: remoteTarget };
  if (isLooseRoute(first)) return { uri: remoteTarget, routes: [...routeSet], nextHop: uriOf(first) };
  const uri = uriOf(first);
  return { uri, routes: [...routeSet.slice(1), `<${remoteTarget}>`], nextHop: uri };
}
