/**
 * Which methods the app serves on a concrete path, for a 405 with `Allow` instead of a 404 when
 * the path exists but the method does not (Fastify's router answers only "no route"). Route
 * patterns are recorded as they are registered (`/v1/calls/:id` → one segment per parameter).
 */
export class AllowedMethods {
  private readonly routes: Array<{ method: string; pattern: RegExp }> = [];

  /** Records a registered route (called from Fastify's onRoute hook). */
  add(method: string, url: string): void {
    const source = url
      .replace(/\/+$/, '')
      .split('/')
      .map((segment) => {
        if (segment === '*') return '.*';
        if (segment.startsWith(':')) return '[^/]+';
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`) });
  }

  /** The methods served on `path` (sorted; empty when no route matches it with any method). */
  for(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) methods.add(route.method);
    return [...methods].sort();
  }
}
