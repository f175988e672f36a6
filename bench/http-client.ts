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
    /** The status and the body of the answer. */
    post(path: string, body: unknown): Promise<{ status: number; body: string }> {
      const payload = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = http.request(
          { host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
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

export type JsonPoster = ReturnType<typeof jsonPoster>;
