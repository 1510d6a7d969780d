// Where the app is mounted. The server writes it into <base href="…"> in index.html
// ('/' by default, '/panel/' under --base-path /panel), so the document's base URI
// is the single source of truth for the router and for every API call.

/** Path part of a base URI, always ending in '/'. */
export function basePathOf(baseURI: string): string {
  const path = new URL(baseURI).pathname
  return path.endsWith('/') ? path : path.slice(0, path.lastIndexOf('/') + 1)
}

/**
 * URL of an API endpoint relative to the mount point: apiUrlOf('health', 'http://h/panel/')
 * is http://h/panel/health. Leading slashes are dropped so a path can never escape the base.
 */
export function apiUrlOf(path: string, baseURI: string): URL {
  return new URL(path.replace(/^\/+/, ''), new URL(basePathOf(baseURI), baseURI))
}

/** The current document's mount path, e.g. '/' or '/panel/'. */
export function basePath(): string {
  return basePathOf(document.baseURI)
}

/** An API URL under the current document's mount path. */
export function apiUrl(path: string): URL {
  return apiUrlOf(path, document.baseURI)
}
