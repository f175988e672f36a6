import http from 'node:http';

/**
 * A lean keep-alive JSON POST for the load generator. fetch (undici) costs several times more
 * CPU per request, and on a 2-core machine the load generator's CPU is taken from the API and
 * the Temporal server, which would understate the API against the bare gRPC client.
 */
export function jsonPoster(baseUrl: string, headers: Record<string, string>, maxSockets: number) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    post(path: string, body: unknown): Promise<number> {
      const payload = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = http.request(
          { host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
          (res) => {
            res.resume(); // drain: the status is all the bench needs
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
